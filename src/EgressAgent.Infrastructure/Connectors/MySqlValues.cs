using System.Data.Common;
using System.Globalization;
using EgressAgent.Application.Execution;
using EgressAgent.Infrastructure.Connectors.Sql;
using MySqlConnector;

namespace EgressAgent.Infrastructure.Connectors;

/// <summary>
/// MySQL and MariaDB values as PyMySQL returns them (docs/connectors.md), read past MySqlConnector's
/// defaults, and the description facts of a column.
/// </summary>
internal static class MySqlValues
{
    /// <summary>
    /// DECIMAL exact (scale kept; beyond .NET's decimal the digits as a tagged decimal); DATETIME and
    /// TIMESTAMP without an offset (TIMESTAMP in the session's time zone, as PyMySQL returns it);
    /// DATE a date; TIME within a day a time, else its text (<c>-01:30:00</c>, <c>838:59:59</c>);
    /// zero dates as their text; BLOB/BINARY bytes; JSON text; BIT an unsigned integer; YEAR a number.
    /// Chosen once per column.
    /// </summary>
    public static Func<DbDataReader, int, object?> ReaderFor(DbDataReader reader, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var fieldType = reader.GetFieldType(ordinal);
        if (fieldType == typeof(decimal) && reader is MySqlDataReader)
        {
            return ReadDecimal;
        }

        if (fieldType == typeof(DateTime) || fieldType == typeof(MySqlDateTime))
        {
            return string.Equals(reader.GetDataTypeName(ordinal), "DATE", StringComparison.OrdinalIgnoreCase) ? ReadDate : ReadDateTime;
        }

        return fieldType == typeof(TimeSpan) ? ReadTime : ReadPlain;
    }

    /// <summary><c>internal_size</c>, <c>precision</c>/<c>scale</c> (DECIMAL, FLOAT, DOUBLE) and <c>null_ok</c>.</summary>
    public static SqlColumnFacts FactsOf(DbDataReader reader, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (reader is not MySqlDataReader mySql)
        {
            return SqlColumnFacts.Unknown;
        }

        var column = (MySqlDbColumn)mySql.GetColumnSchema()[ordinal];
        var isDecimal = column.ProviderType is MySqlDbType.Decimal or MySqlDbType.NewDecimal;
        return new SqlColumnFacts(
            DisplaySize: null,
            InternalSize: column.ColumnSize is { } size and <= int.MaxValue ? size : null,
            Precision: isDecimal ? column.NumericPrecision : null,
            Scale: isDecimal || column.ProviderType is MySqlDbType.Double or MySqlDbType.Float ? column.NumericScale : null,
            NullOk: column.AllowDBNull);
    }

    private static object? ReadPlain(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetValue(ordinal);

    private static object? ReadDecimal(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Decimal(((MySqlDataReader)reader).GetMySqlDecimal(ordinal).ToString());

    private static object? ReadDate(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetValue(ordinal) switch
    {
        DateTime date => DateOnly.FromDateTime(date),
        MySqlDateTime { IsValidDateTime: true } date => DateOnly.FromDateTime(date.GetDateTime()),
        MySqlDateTime zero => string.Create(CultureInfo.InvariantCulture, $"{zero.Year:0000}-{zero.Month:00}-{zero.Day:00}"),
        var other => other,
    };

    private static object? ReadDateTime(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetValue(ordinal) switch
    {
        MySqlDateTime { IsValidDateTime: true } valid => valid.GetDateTime(),
        MySqlDateTime zero => string.Create(CultureInfo.InvariantCulture, $"{zero.Year:0000}-{zero.Month:00}-{zero.Day:00} {zero.Hour:00}:{zero.Minute:00}:{zero.Second:00}"),
        var other => other,
    };

    private static object? ReadTime(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetValue(ordinal) switch
    {
        TimeSpan time when time >= TimeSpan.Zero && time < TimeSpan.FromDays(1) => TimeOnly.FromTimeSpan(time),
        TimeSpan time => TimeText(time),
        var other => other,
    };

    /// <summary>The exact digits: a .NET decimal when it holds them all (its scale kept), else a tagged decimal of the text.</summary>
    private static object Decimal(string digits) =>
        decimal.TryParse(digits, NumberStyles.Number, CultureInfo.InvariantCulture, out var value)
            && value.ToString(CultureInfo.InvariantCulture) == digits
            ? value
            : WireValues.Tagged("decimal", digits);

    private static string TimeText(TimeSpan time)
    {
        var sign = time < TimeSpan.Zero ? "-" : string.Empty;
        var magnitude = time.Duration();
        var text = string.Create(CultureInfo.InvariantCulture, $"{sign}{(long)magnitude.TotalHours:00}:{magnitude.Minutes:00}:{magnitude.Seconds:00}");
        var microseconds = (magnitude.Ticks % TimeSpan.TicksPerSecond) / 10;
        return microseconds == 0 ? text : string.Create(CultureInfo.InvariantCulture, $"{text}.{microseconds:000000}").TrimEnd('0');
    }
}
