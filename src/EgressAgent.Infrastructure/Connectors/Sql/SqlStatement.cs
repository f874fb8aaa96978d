using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Execution;
using EgressAgent.Infrastructure.Executors.Sql;

namespace EgressAgent.Infrastructure.Connectors.Sql;

/// <summary>
/// One statement as the driver gets it: the SQL with the DB-API placeholders of docs/protocol.md
/// §12.2 rewritten to the driver's, and the values to bind, in order, each under the name the
/// driver binds it by (empty: by position). Values are always bound, never put into the text.
/// </summary>
internal sealed record SqlStatement(string Sql, IReadOnlyList<KeyValuePair<string, object>> Parameters)
{
    /// <summary>
    /// <c>execute(sql, params)</c>: no parameters (null) sends the SQL as it is. A list binds
    /// positionally (<c>%s</c> for <see cref="SqlParameterStyle.Format"/>, <c>?</c> for
    /// <see cref="SqlParameterStyle.QuestionMark"/>), an object binds <c>%(name)s</c>; with
    /// parameters, <c>%%</c> is a literal <c>%</c> in the Format style (as in Python's
    /// <c>%</c> formatting, inside quoted literals too).
    /// </summary>
    public static SqlStatement Bind(SqlConnectionType type, string sql, JsonNode? parameters) => parameters switch
    {
        null => new SqlStatement(sql, []),
        JsonArray list when type.ParameterStyle == SqlParameterStyle.Format => Format(type, sql, list, null),
        JsonObject named when type.ParameterStyle == SqlParameterStyle.Format => Format(type, sql, null, named),
        JsonArray list => QuestionMarks(type, sql, list),
        JsonObject named => new SqlStatement(sql, [.. named.Select(p => Parameter(type.NamedPlaceholder(p.Key), p.Key, p.Value))]),
        _ => throw ProgramError("TypeError", "parameters must be a list, an object or null"),
    };

    private static SqlStatement Format(SqlConnectionType type, string sql, JsonArray? list, JsonObject? named)
    {
        var text = new StringBuilder(sql.Length + 16);
        var bound = new List<KeyValuePair<string, object>>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < sql.Length; i++)
        {
            if (sql[i] != '%')
            {
                text.Append(sql[i]);
                continue;
            }

            if (i + 1 >= sql.Length)
            {
                throw ProgramError("ValueError", "incomplete format");
            }

            switch (sql[++i])
            {
                case '%':
                    text.Append('%');
                    break;
                case 's' when list is not null:
                    if (bound.Count >= list.Count)
                    {
                        throw ProgramError("IndexError", "list index out of range");
                    }

                    text.Append(type.PositionalPlaceholder(bound.Count));
                    bound.Add(Parameter(type.PositionalParameterName(bound.Count), bound.Count.ToString(CultureInfo.InvariantCulture), list[bound.Count]));
                    break;
                case 's':
                    throw ProgramError("TypeError", "format requires a list of parameters: use %(name)s with an object");
                case '(' when named is not null:
                    var close = sql.IndexOf(')', i);
                    if (close < 0 || close + 1 >= sql.Length || sql[close + 1] != 's')
                    {
                        throw ProgramError("ValueError", "incomplete format key: write %(name)s");
                    }

                    var name = sql[(i + 1)..close];
                    if (!IsIdentifier(name))
                    {
                        throw ProgramError("ValueError", $"parameter name '{name}' must be a letter or underscore followed by letters, digits or underscores");
                    }

                    if (!named.TryGetPropertyValue(name, out var value))
                    {
                        throw ProgramError("KeyError", $"'{name}'");
                    }

                    var placeholder = type.NamedPlaceholder(name);
                    text.Append(placeholder);
                    if (names.Add(name))
                    {
                        bound.Add(Parameter(placeholder, name, value));
                    }

                    i = close + 1;
                    break;
                case '(':
                    throw ProgramError("TypeError", "format requires a mapping: use %s with a list");
                default:
                    throw ProgramError("ValueError", $"unsupported format character '{sql[i]}': write %% for a literal %");
            }
        }

        if (list is not null && bound.Count < list.Count)
        {
            throw ProgramError("TypeError", "not all arguments converted during string formatting");
        }

        return new SqlStatement(text.ToString(), bound);
    }

    /// <summary>
    /// <c>?</c> passes through when the driver understands it; otherwise each <c>?</c> outside quoted
    /// literals, quoted names and comments becomes the driver's positional placeholder.
    /// </summary>
    private static SqlStatement QuestionMarks(SqlConnectionType type, string sql, JsonArray list)
    {
        if (type.PositionalPlaceholder(0) == "?")
        {
            return new SqlStatement(sql, [.. list.Select((value, i) => Parameter(type.PositionalParameterName(i), i.ToString(CultureInfo.InvariantCulture), value))]);
        }

        var text = new StringBuilder(sql.Length + 16);
        var count = 0;
        for (var i = 0; i < sql.Length; i++)
        {
            var c = sql[i];
            var skipTo = c switch
            {
                '\'' or '"' or '`' => sql.IndexOf(c, i + 1),
                '[' => sql.IndexOf(']', i + 1),
                '-' when i + 1 < sql.Length && sql[i + 1] == '-' => sql.IndexOf('\n', i + 2),
                '/' when i + 1 < sql.Length && sql[i + 1] == '*' => EndOfBlockComment(sql, i + 2),
                _ => i,
            };
            if (skipTo != i)
            {
                var end = skipTo < 0 ? sql.Length - 1 : skipTo;
                text.Append(sql, i, end - i + 1);
                i = end;
            }
            else if (c == '?')
            {
                text.Append(type.PositionalPlaceholder(count++));
            }
            else
            {
                text.Append(c);
            }
        }

        if (count != list.Count)
        {
            throw ProgramError("ProgrammingError", $"the statement has {count} placeholder(s) but {list.Count} parameter(s) were given");
        }

        return new SqlStatement(text.ToString(), [.. list.Select((value, i) => Parameter(type.PositionalParameterName(i), i.ToString(CultureInfo.InvariantCulture), value))]);
    }

    private static int EndOfBlockComment(string sql, int from)
    {
        var end = sql.IndexOf("*/", from, StringComparison.Ordinal);
        return end < 0 ? -1 : end + 1;
    }

    private static KeyValuePair<string, object> Parameter(string boundName, string label, JsonNode? value) =>
        new(boundName, SqlParameterValue.ClrValueOf(label, value));

    private static bool IsIdentifier(string name) =>
        name.Length is > 0 and <= 63
        && (char.IsAsciiLetter(name[0]) || name[0] == '_')
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static OperationFailedException ProgramError(string type, string message) =>
        new(message, ConnectorErrorKinds.ProgramError) { ExceptionText = $"{type}: {message}" };
}
