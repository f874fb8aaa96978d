using System.Globalization;
using System.Text;

namespace EgressAgent.Emulator;

/// <summary>Server-Sent Events wire format (LF line ends, one blank line ends a message).</summary>
internal static class SseFrames
{
    private static readonly string[] LineBreaks = ["\r\n", "\r", "\n"];

    public static string Event(string? id, string data)
    {
        var frame = new StringBuilder(data.Length + 32);
        if (id is not null)
        {
            // A line break inside the id would end the field early and corrupt the frame.
            frame.Append("id: ").Append(id.Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal)).Append('\n');
        }

        // Every line terminator SSE knows must start a new data: line, or the client would
        // read the remainder as a field of its own.
        foreach (var line in data.Split(LineBreaks, StringSplitOptions.None))
        {
            frame.Append("data: ").Append(line).Append('\n');
        }

        return frame.Append('\n').ToString();
    }

    public static string Comment(string text)
    {
        var frame = new StringBuilder(text.Length + 8);
        foreach (var line in text.Split(LineBreaks, StringSplitOptions.None))
        {
            frame.Append(": ").Append(line).Append('\n');
        }

        return frame.Append('\n').ToString();
    }

    public static string Retry(int milliseconds) =>
        string.Create(CultureInfo.InvariantCulture, $"retry: {milliseconds}\n\n");
}
