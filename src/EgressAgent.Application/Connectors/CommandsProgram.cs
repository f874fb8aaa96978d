using System.Text.Json;
using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Application.Connectors;

/// <summary>
/// The <c>commands</c> of an operation (docs/protocol.md §12.2), checked whole before anything is
/// opened (<see cref="Parse"/>) and then evaluated against one session (<c>RunAsync</c>) in
/// a context that is fresh per run: <c>_client</c> (the session) and <c>__utils</c>. Methods are
/// called only through <see cref="IProgramObject"/>; nothing is looked up by reflection.
/// </summary>
internal sealed class CommandsProgram
{
    private const string Field = "commands";

    private CommandsProgram(IReadOnlyList<ProgramCommand> commands) => Commands = commands;

    public IReadOnlyList<ProgramCommand> Commands { get; }

    /// <summary>
    /// The program of <paramref name="operation"/>; a shape it cannot run (no list, a command that is
    /// not an object, a method that is not a string, …) is an <c>InvalidOperation</c>
    /// <see cref="OperationFailedException"/> naming the place.
    /// </summary>
    public static CommandsProgram Parse(JsonObject operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (operation[Field] is not JsonArray list)
        {
            throw Invalid($"'{Field}' must be a list of commands, not {OperationValues.Describe(operation[Field], operation.ContainsKey(Field))}");
        }

        var commands = new List<ProgramCommand>(list.Count);
        for (var i = 0; i < list.Count; i++)
        {
            commands.Add(ParseCommand(list[i], $"{Field}[{i}]"));
        }

        return new CommandsProgram(commands);
    }

    /// <summary>
    /// Runs the commands in order; the payload is the value of the last top-level command (the end
    /// of its chain), <c>{}</c> when that value is empty. Errors of the targets propagate as they are.
    /// </summary>
    public async Task<JsonNode> RunAsync(IDataSourceSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var context = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [ProgramCommand.DefaultTarget] = session,
            [ProgramUtilities.VariableName] = ProgramUtilities.Instance,
        };
        object? last = null;
        foreach (var command in Commands)
        {
            cancellationToken.ThrowIfCancellationRequested();
            last = await RunChainAsync(command, context, cancellationToken);
        }

        return ProgramValues.ToResult(last);
    }

    private static async Task<object?> RunChainAsync(ProgramCommand command, Dictionary<string, object?> context, CancellationToken cancellationToken)
    {
        var value = await RunAsync(command, Lookup(context, command.Target ?? ProgramCommand.DefaultTarget), context, cancellationToken);
        for (var next = command.Next; next is not null; next = next.Next)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // The previous value is the target; the chain's own target only when that value is empty.
            var target = ProgramValues.IsEmpty(value) ? Lookup(context, next.Target ?? ProgramCommand.DefaultTarget) : value;
            value = await RunAsync(next, target, context, cancellationToken);
        }

        return value;
    }

    private static async Task<object?> RunAsync(ProgramCommand command, object? target, Dictionary<string, object?> context, CancellationToken cancellationToken)
    {
        var positional = new List<object?>(command.Args.Count);
        foreach (var argument in command.Args)
        {
            positional.Add(await ResolveAsync(argument, context, cancellationToken));
        }

        var named = new Dictionary<string, object?>(command.Kwargs.Count, StringComparer.Ordinal);
        foreach (var (name, argument) in command.Kwargs)
        {
            named[name] = await ResolveAsync(argument, context, cancellationToken);
        }

        if (target is not IProgramObject callee)
        {
            // A plain value (a row list, a number) has no methods.
            throw new ProgramMethodNotFoundException(command.Method);
        }

        var value = await callee.InvokeAsync(command.Method, new ProgramArguments(positional, named), cancellationToken);
        if (command.Store is { } store)
        {
            context[store] = value;
        }

        return value;
    }

    private static async ValueTask<object?> ResolveAsync(object? argument, Dictionary<string, object?> context, CancellationToken cancellationToken) => argument switch
    {
        ProgramReference reference => Lookup(context, reference.Name),
        ProgramCommand call => await RunAsync(call, Lookup(context, call.Target ?? ProgramCommand.DefaultTarget), context, cancellationToken),
        _ => argument,
    };

    private static object? Lookup(Dictionary<string, object?> context, string name) =>
        context.TryGetValue(name, out var value)
            ? value
            : throw new OperationFailedException($"{name} not found in context", ConnectorErrorKinds.ProgramError)
            {
                ExceptionText = $"{ConnectorErrorKinds.ProgramError}: {name} not found in context",
            };

    private static ProgramCommand ParseCommand(JsonNode? node, string where)
    {
        if (node is not JsonObject command)
        {
            throw Invalid($"{where} must be an object, not {OperationValues.Describe(node)}");
        }

        var method = command["method"] is JsonValue m && m.GetValueKind() == JsonValueKind.String && m.GetValue<string>() is { Length: > 0 } name
            ? name
            : throw Invalid($"{where}.method must be a non-empty string, not {OperationValues.Describe(command["method"], command.ContainsKey("method"))}");
        var target = OptionalString(command, "target", where);
        var store = OptionalString(command, "store", where);

        var args = new List<object?>();
        switch (command["args"])
        {
            case null:
                break;
            case JsonArray list:
                for (var i = 0; i < list.Count; i++)
                {
                    args.Add(ParseArgument(list[i], $"{where}.args[{i}]"));
                }

                break;
            default:
                throw Invalid($"{where}.args must be a list, not {OperationValues.Describe(command["args"])}");
        }

        var kwargs = new List<KeyValuePair<string, object?>>();
        switch (command["kwargs"])
        {
            case null:
                break;
            case JsonObject map:
                foreach (var (key, value) in map)
                {
                    kwargs.Add(new(key, ParseArgument(value, $"{where}.kwargs.{key}")));
                }

                break;
            default:
                throw Invalid($"{where}.kwargs must be an object, not {OperationValues.Describe(command["kwargs"])}");
        }

        var next = command["next"] switch
        {
            null => null,
            JsonObject chained => ParseCommand(chained, where + ".next"),
            var other => throw Invalid($"{where}.next must be a command object, not {OperationValues.Describe(other)}"),
        };
        return new ProgramCommand(method, target, args, kwargs, store, next);
    }

    /// <summary>A top-level argument: a reference, a call or bytes become what they stand for; anything else, and anything deeper, stays as sent.</summary>
    private static object? ParseArgument(JsonNode? node, string where)
    {
        if (node is not JsonObject obj)
        {
            return node;
        }

        if (obj.ContainsKey("__reference__"))
        {
            return obj["__reference__"] is JsonValue r && r.GetValueKind() == JsonValueKind.String
                ? new ProgramReference(r.GetValue<string>())
                : throw Invalid($"{where}.__reference__ must be a string, not {OperationValues.Describe(obj["__reference__"])}");
        }

        var type = obj["__type__"] is JsonValue t && t.GetValueKind() == JsonValueKind.String ? t.GetValue<string>() : null;
        return type switch
        {
            "call" => ParseCommand(obj, where),
            "bytes" => ParseBytes(obj["__data__"], where),
            _ => node,
        };
    }

    private static byte[] ParseBytes(JsonNode? data, string where)
    {
        if (data is JsonValue d && d.GetValueKind() == JsonValueKind.String)
        {
            try
            {
                return Convert.FromBase64String(d.GetValue<string>());
            }
            catch (FormatException)
            {
                // falls through to the error below
            }
        }

        throw Invalid($"{where}.__data__ must be a base64 string");
    }

    private static string? OptionalString(JsonObject command, string name, string where) => command[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        var other => throw Invalid($"{where}.{name} must be a string, not {OperationValues.Describe(other)}"),
    };

    private static OperationFailedException Invalid(string message) => new(message, ErrorKinds.InvalidOperation);
}
