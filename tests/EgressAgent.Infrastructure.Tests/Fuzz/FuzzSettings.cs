using System.Globalization;

namespace EgressAgent.Infrastructure.Tests.Fuzz;

/// <summary>
/// How much to fuzz: EGRESS_FUZZ_INPUTS (default 20,000, the CI budget) and EGRESS_FUZZ_SEED
/// (default fixed, so a failure reproduces; set another to explore).
/// </summary>
internal static class FuzzSettings
{
    public const int DefaultInputs = 20_000;
    public const int DefaultSeed = 20_250_101;

    public static int Inputs => Read("EGRESS_FUZZ_INPUTS", DefaultInputs);

    public static int Seed => Read("EGRESS_FUZZ_SEED", DefaultSeed);

    private static int Read(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : fallback;

    /// <summary>An input shown in a failure: escaped, cut to a readable length.</summary>
    public static string Describe(string data)
    {
        var builder = new System.Text.StringBuilder();
        foreach (var c in data.Length <= 300 ? data : data[..300])
        {
            builder.Append(c is >= ' ' and < (char)0x7F ? c.ToString() : $"\\u{(int)c:x4}");
        }

        return data.Length <= 300 ? builder.ToString() : $"{builder}… ({data.Length} chars)";
    }
}
