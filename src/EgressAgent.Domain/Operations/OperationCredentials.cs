using System.Text.Json;

namespace EgressAgent.Domain.Operations;

/// <summary>
/// The <c>credentials</c> of an envelope (docs/protocol.md §12.1): a data source's secrets, a
/// sibling of <c>operation</c>. Wrapped so that no <c>ToString</c>, record printout or log
/// template can show them: the value is reached only through <see cref="Value"/>.
/// </summary>
public sealed class OperationCredentials
{
    public static readonly OperationCredentials Empty = new(JsonDocument.Parse("{}").RootElement.Clone());

    public OperationCredentials(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("Credentials are a JSON object.", nameof(value));
        }

        Value = value;
    }

    /// <summary>The credentials object; never log it.</summary>
    public JsonElement Value { get; }

    public override string ToString() => "credentials(redacted)";
}
