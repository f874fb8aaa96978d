using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EgressAgent.EndToEnd.Tests.Deploy;

/// <summary>
/// Reads the YAML that <c>kubectl kustomize</c> prints into JSON nodes. That output is canonical
/// block style — two-space indents, sequence items at their key's indent, plain, single- or
/// double-quoted scalars, literal blocks, <c>{}</c>/<c>[]</c> for empty collections — and this
/// reader covers exactly that; anything else is an error, never a guess.
/// </summary>
internal static class CanonicalYaml
{
    public static IReadOnlyList<JsonObject> ReadDocuments(string yaml)
    {
        var documents = new List<JsonObject>();
        var current = new List<Line>();
        foreach (var raw in yaml.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            if (raw == "---")
            {
                Flush();
                continue;
            }

            if (raw.Trim().Length == 0 || raw.TrimStart().StartsWith('#'))
            {
                current.Add(new Line(-1, string.Empty, raw)); // kept for literal blocks
                continue;
            }

            var indent = raw.Length - raw.TrimStart(' ').Length;
            current.Add(new Line(indent, raw[indent..], raw));
        }

        Flush();
        return documents;

        void Flush()
        {
            if (current.Any(l => l.Indent >= 0))
            {
                var reader = new Reader(current);
                var node = reader.ReadNode(reader.NextIndent());
                reader.ExpectEnd();
                documents.Add(node as JsonObject ?? throw new FormatException("A document is not a mapping."));
            }

            current = [];
        }
    }

    private sealed record Line(int Indent, string Text, string Raw);

    private sealed class Reader(List<Line> lines)
    {
        private int _next;

        public int NextIndent()
        {
            SkipBlank();
            return _next < lines.Count ? lines[_next].Indent : -1;
        }

        public void ExpectEnd()
        {
            SkipBlank();
            if (_next < lines.Count)
            {
                throw new FormatException($"Unexpected line: {lines[_next].Raw}");
            }
        }

        public JsonNode? ReadNode(int indent)
        {
            SkipBlank();
            return IsItem(lines[_next].Text) ? ReadSequence(indent) : ReadMapping(indent);
        }

        private JsonObject ReadMapping(int indent)
        {
            var mapping = new JsonObject();
            while (NextIndent() == indent && !IsItem(lines[_next].Text))
            {
                var line = lines[_next++];
                var (key, rest) = SplitKey(line.Text) ?? throw new FormatException($"Expected 'key: value': {line.Raw}");
                mapping.Add(key, ReadValue(indent, rest, sequenceMayShareIndent: true));
            }

            return mapping;
        }

        private JsonArray ReadSequence(int indent)
        {
            var sequence = new JsonArray();
            while (NextIndent() == indent && IsItem(lines[_next].Text))
            {
                var line = lines[_next];
                var content = line.Text.Length > 1 ? line.Text[2..] : string.Empty;
                if (content.Length == 0)
                {
                    _next++;
                    sequence.Add(ReadValue(indent, string.Empty, sequenceMayShareIndent: false));
                }
                else if (SplitKey(content) is not null)
                {
                    // "- key: value": a mapping whose first key sits two columns in.
                    lines[_next] = new Line(indent + 2, content, line.Raw);
                    sequence.Add(ReadMapping(indent + 2));
                }
                else
                {
                    _next++;
                    sequence.Add(Scalar(content));
                }
            }

            return sequence;
        }

        private JsonNode? ReadValue(int indent, string rest, bool sequenceMayShareIndent)
        {
            if (rest is "|" or "|-" or "|+")
            {
                return ReadLiteral(indent, keepFinalNewline: rest != "|-");
            }

            if (rest.Length > 0)
            {
                return Scalar(rest);
            }

            var next = NextIndent();
            if (next > indent || (sequenceMayShareIndent && next == indent && IsItem(lines[_next].Text)))
            {
                return ReadNode(next);
            }

            return null;
        }

        private JsonValue ReadLiteral(int indent, bool keepFinalNewline)
        {
            var text = new StringBuilder();
            int? blockIndent = null;
            while (_next < lines.Count && (lines[_next].Indent < 0 || lines[_next].Indent > indent))
            {
                var raw = lines[_next++].Raw;
                blockIndent ??= raw.Trim().Length == 0 ? null : raw.Length - raw.TrimStart(' ').Length;
                text.Append(raw.Length >= (blockIndent ?? 0) ? raw[(blockIndent ?? 0)..] : string.Empty).Append('\n');
            }

            var value = text.ToString().TrimEnd('\n');
            return JsonValue.Create(keepFinalNewline ? value + "\n" : value);
        }

        private void SkipBlank()
        {
            while (_next < lines.Count && lines[_next].Indent < 0)
            {
                _next++;
            }
        }

        private static bool IsItem(string text) => text == "-" || text.StartsWith("- ", StringComparison.Ordinal);

        /// <summary>"key: rest" or "key:" outside quotes; null when the text is a scalar.</summary>
        private static (string Key, string Value)? SplitKey(string text)
        {
            if (text.StartsWith('"') || text.StartsWith('\''))
            {
                var end = text.IndexOf(text[0], 1);
                return end > 0 && text.AsSpan(end + 1).StartsWith(":")
                    ? (Unquote(text[..(end + 1)]), text[(end + 2)..].Trim())
                    : null;
            }

            var colon = text.IndexOf(": ", StringComparison.Ordinal);
            if (colon > 0)
            {
                return (text[..colon], text[(colon + 2)..].Trim());
            }

            return text.EndsWith(':') ? (text[..^1], string.Empty) : null;
        }

        private static JsonNode? Scalar(string text)
        {
            switch (text)
            {
                case "{}": return new JsonObject();
                case "[]": return new JsonArray();
                case "null" or "~": return null;
                case "true": return JsonValue.Create(true);
                case "false": return JsonValue.Create(false);
            }

            if (text.StartsWith('"') || text.StartsWith('\''))
            {
                return JsonValue.Create(Unquote(text));
            }

            if (text.StartsWith('{') || text.StartsWith('[') || text.StartsWith('&') || text.StartsWith('*') || text.StartsWith('!'))
            {
                throw new FormatException($"Not canonical kustomize output (flow style, anchor or tag): {text}");
            }

            return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
                ? JsonValue.Create(number)
                : JsonValue.Create(text);
        }

        private static string Unquote(string text)
        {
            if (text.Length < 2 || text[^1] != text[0])
            {
                throw new FormatException($"Unterminated quoted scalar: {text}");
            }

            return text[0] == '\''
                ? text[1..^1].Replace("''", "'", StringComparison.Ordinal)
                : JsonSerializer.Deserialize<string>(text)!; // YAML's double-quoted escapes used here are JSON's
        }
    }
}
