using System.Globalization;
using System.Text.RegularExpressions;

namespace EgressAgent.EndToEnd.Tests.Deploy;

/// <summary>A systemd unit file read as systemd reads it: sections of <c>Key=value</c>, keys may repeat.</summary>
internal sealed partial class SystemdUnit
{
    private readonly List<(string Section, string Key, string Value)> _entries = [];

    private SystemdUnit()
    {
    }

    public static SystemdUnit Load(string path)
    {
        var unit = new SystemdUnit();
        var section = string.Empty;
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith(';'))
            {
                continue;
            }

            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                section = line[1..^1];
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || line.EndsWith('\\'))
            {
                throw new FormatException($"Not a Key=value line (continuations are not used in our unit): {raw}");
            }

            unit._entries.Add((section, line[..equals].Trim(), line[(equals + 1)..].Trim()));
        }

        return unit;
    }

    /// <summary>The last value of <paramref name="key"/> (systemd: a later assignment wins), or null.</summary>
    public string? Get(string section, string key) =>
        _entries.LastOrDefault(e => e.Section == section && e.Key == key).Value;

    public IEnumerable<string> All(string section, string key) =>
        _entries.Where(e => e.Section == section && e.Key == key).Select(e => e.Value);

    /// <summary>The <c>Environment=</c> assignments of [Service], each <c>NAME=value</c>.</summary>
    public IReadOnlyDictionary<string, string> Environment =>
        All("Service", "Environment")
            .SelectMany(v => v.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(a => a.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    /// <summary>A systemd time span: "30", "30s", "1min 30s", "500ms".</summary>
    public static TimeSpan TimeSpanOf(string value)
    {
        var total = TimeSpan.Zero;
        var matches = TimeSpanPart().Matches(value.Replace(" ", string.Empty, StringComparison.Ordinal));
        if (matches.Sum(m => m.Length) != value.Replace(" ", string.Empty, StringComparison.Ordinal).Length || matches.Count == 0)
        {
            throw new FormatException($"Not a systemd time span: {value}");
        }

        foreach (Match match in matches)
        {
            var number = double.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
            total += match.Groups["u"].Value switch
            {
                "" or "s" or "sec" or "second" or "seconds" => TimeSpan.FromSeconds(number),
                "ms" or "msec" => TimeSpan.FromMilliseconds(number),
                "m" or "min" or "minute" or "minutes" => TimeSpan.FromMinutes(number),
                "h" or "hr" or "hour" or "hours" => TimeSpan.FromHours(number),
                var unit => throw new FormatException($"Unknown time unit '{unit}' in {value}"),
            };
        }

        return total;
    }

    [GeneratedRegex(@"(?<n>[0-9]+(\.[0-9]+)?)(?<u>[a-z]*)")]
    private static partial Regex TimeSpanPart();
}
