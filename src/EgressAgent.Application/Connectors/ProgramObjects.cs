namespace EgressAgent.Application.Connectors;

/// <summary>Names program objects and values in error messages without showing their contents.</summary>
internal static class ProgramObjects
{
    public static string NameOf(object? value) => value switch
    {
        null => "null",
        byte[] => "bytes",
        System.Text.Json.Nodes.JsonArray => "a list",
        System.Text.Json.Nodes.JsonObject => "an object",
        System.Text.Json.Nodes.JsonValue => "a value",
        _ => value.GetType().Name,
    };
}
