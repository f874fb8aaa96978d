using System.Data.Common;
using System.Globalization;
using EgressAgent.Application.Execution;
using Microsoft.Data.SqlClient;

namespace EgressAgent.Infrastructure.Connectors;

/// <summary>
/// An ODBC-style SQL Server connection string (<c>SERVER=tcp:h,p;UID=…;PWD=…;DATABASE=…</c>, values
/// in <c>{…}</c> allowed) translated to SqlClient's keywords. Keys that map: SERVER/ADDRESS, UID,
/// PWD, DATABASE, ENCRYPT, TRUSTSERVERCERTIFICATE, CONNECTION/LOGIN TIMEOUT, APPLICATIONINTENT,
/// MULTISUBNETFAILOVER, HOSTNAMEINCERTIFICATE; DRIVER and every other key are ignored (docs/connectors.md).
/// </summary>
internal static class SqlServerOdbcString
{
    public static SqlConnectionStringBuilder Translate(string odbc)
    {
        var odbcBuilder = new DbConnectionStringBuilder(useOdbcRules: true);
        try
        {
            odbcBuilder.ConnectionString = odbc;
        }
        catch (ArgumentException)
        {
            // The message could quote the string, secrets included: say only what is wrong.
            throw CredentialValues.Invalid("connect_args is not a valid ODBC connection string");
        }

        var builder = new SqlConnectionStringBuilder { ConnectTimeout = 15 };
        foreach (string key in odbcBuilder.Keys)
        {
            var value = Unbraced(odbcBuilder[key]?.ToString() ?? string.Empty);
            switch (key.Replace(" ", string.Empty, StringComparison.Ordinal).ToUpperInvariant())
            {
                case "SERVER" or "ADDRESS" or "ADDR" or "DATASOURCE":
                    builder.DataSource = value;
                    break;
                case "UID" or "USER" or "USERID" or "USERNAME":
                    builder.UserID = value;
                    break;
                case "PWD" or "PASSWORD":
                    builder.Password = value;
                    break;
                case "DATABASE" or "INITIALCATALOG":
                    builder.InitialCatalog = value;
                    break;
                case "ENCRYPT":
                    builder.Encrypt = EncryptOf(value);
                    break;
                case "TRUSTSERVERCERTIFICATE":
                    builder.TrustServerCertificate = YesOf(key, value);
                    break;
                case "CONNECTIONTIMEOUT" or "CONNECTTIMEOUT" or "LOGINTIMEOUT" or "TIMEOUT":
                    builder.ConnectTimeout = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                        ? seconds
                        : throw Invalid(key);
                    break;
                case "APPLICATIONINTENT":
                    builder.ApplicationIntent = string.Equals(value, "ReadOnly", StringComparison.OrdinalIgnoreCase) ? ApplicationIntent.ReadOnly : ApplicationIntent.ReadWrite;
                    break;
                case "MULTISUBNETFAILOVER":
                    builder.MultiSubnetFailover = YesOf(key, value);
                    break;
                case "HOSTNAMEINCERTIFICATE":
                    builder.HostNameInCertificate = value;
                    break;
                default:
                    break; // DRIVER and ODBC-only keys.
            }
        }

        return builder;
    }

    /// <summary>An ODBC value in braces (<c>{p;}}w}</c>) is the text inside, <c>}}</c> standing for <c>}</c>.</summary>
    private static string Unbraced(string value) =>
        value.Length >= 2 && value[0] == '{' && value[^1] == '}'
            ? value[1..^1].Replace("}}", "}", StringComparison.Ordinal)
            : value;

    private static SqlConnectionEncryptOption EncryptOf(string value) => value.ToUpperInvariant() switch
    {
        "YES" or "TRUE" or "MANDATORY" or "1" => SqlConnectionEncryptOption.Mandatory,
        "NO" or "FALSE" or "OPTIONAL" or "0" => SqlConnectionEncryptOption.Optional,
        "STRICT" => SqlConnectionEncryptOption.Strict,
        _ => throw Invalid("Encrypt"),
    };

    private static bool YesOf(string key, string value) => value.ToUpperInvariant() switch
    {
        "YES" or "TRUE" or "1" => true,
        "NO" or "FALSE" or "0" => false,
        _ => throw Invalid(key),
    };

    private static OperationFailedException Invalid(string key) => CredentialValues.Invalid($"connect_args: invalid value of {key}");
}
