using System.Globalization;

namespace EgressAgent.Benchmarks;

/// <summary>
/// The arguments of <c>offload</c> (see <see cref="OffloadBenchmark"/>); <see cref="WarmupMiB"/> is a
/// smaller offloaded result the same agent runs first, unmeasured (0 for none).
/// </summary>
internal sealed record OffloadOptions(
    int SizeMiB,
    bool Gzip,
    AgentUnderTest Agent,
    int Runs,
    TimeSpan RunTimeout,
    int RowChars,
    string Postgres,
    string WorkDirectory,
    int WarmupMiB,
    bool Echo)
{
    public const string Usage =
        "offload [--size-mib 1024] [--gzip] [--agent-path <native executable>] [--runs 3] [--timeout-min 15] [--row-chars 1000] [--postgres <connection string>] [--work-dir <dir>] [--warmup-mib 0] [--echo]";

    /// <summary>Throws <see cref="ArgumentException"/> with the usage when an argument is not understood.</summary>
    public static OffloadOptions Parse(IReadOnlyList<string> args)
    {
        var sizeMiB = 1024;
        var gzip = false;
        var agent = AgentUnderTest.Jit;
        var runs = 3;
        var timeoutMinutes = 15.0;
        var rowChars = 1000;
        var postgres = Environment.GetEnvironmentVariable("EGRESS_TEST_POSTGRES");
        var workDirectory = Path.GetTempPath();
        var warmupMiB = 0;
        var echo = false;
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value. Usage: {Usage}");
            switch (args[i])
            {
                case "--size-mib": sizeMiB = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--gzip": gzip = true; break;
                case "--agent-path": agent = AgentUnderTest.Other("native", Value()); break;
                case "--runs": runs = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--timeout-min": timeoutMinutes = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--row-chars": rowChars = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--postgres": postgres = Value(); break;
                case "--work-dir": workDirectory = Value(); break;
                case "--warmup-mib": warmupMiB = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--echo": echo = true; break;
                default: throw new ArgumentException($"Unknown argument {args[i]}. Usage: {Usage}");
            }
        }

        if (string.IsNullOrWhiteSpace(postgres))
        {
            throw new ArgumentException($"No PostgreSQL: set EGRESS_TEST_POSTGRES or pass --postgres (a plain, read-only role; .ci/run starts one). Usage: {Usage}");
        }

        if (sizeMiB < 1 || runs < 1 || rowChars < 1 || timeoutMinutes <= 0 || warmupMiB < 0)
        {
            throw new ArgumentException($"--size-mib, --runs, --row-chars and --timeout-min must be positive, --warmup-mib not negative. Usage: {Usage}");
        }

        return new OffloadOptions(sizeMiB, gzip, agent, runs, TimeSpan.FromMinutes(timeoutMinutes), rowChars, postgres, workDirectory, warmupMiB, echo);
    }

    /// <summary>The rows of the measured result.</summary>
    public long Rows => RowsFor(SizeMiB, RowChars);

    /// <summary>
    /// Rows of <paramref name="rowChars"/> characters that make about <paramref name="mebibytes"/> of result JSON:
    /// each is <c>["xx…x"]</c> and a comma, <paramref name="rowChars"/> + 5 bytes.
    /// </summary>
    public static long RowsFor(int mebibytes, int rowChars) => ((long)mebibytes * 1024 * 1024) / (rowChars + 5);
}
