using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Execution;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Application.Tests.Connectors;

public sealed class CommandsProgramTests
{
    private static Task<JsonNode> RunAsync(string commands, FakeSession session) =>
        CommandsProgram.Parse(new JsonObject { ["commands"] = JsonNode.Parse(commands) }).RunAsync(session, CancellationToken.None);

    [Fact]
    public async Task The_protocol_example_builds_rows_description_and_rowcount()
    {
        var rows = JsonNode.Parse("""[[1, {"__type__": "decimal", "__data__": "10.50"}, {"__type__": "datetime", "__data__": "2024-05-01T12:00:00+00:00"}]]""")!.AsArray();
        var description = JsonNode.Parse("""[["id", 23, null, 4, null, null, null], ["amount", 1700, null, -1, 10, 2, null], ["created_at", 1184, null, 8, null, null, null]]""")!.AsArray();
        var session = new FakeSession { Cursor = new FakeCursor(rows, description) };

        var result = await RunAsync("""
            [{"method": "cursor", "store": "_cursor"},
             {"target": "_cursor", "method": "execute", "args": ["SELECT id, amount, created_at FROM orders WHERE id > %s", [0]]},
             {"target": "__utils", "method": "build_dict", "kwargs": {
               "all_results": {"__type__": "call", "target": "_cursor", "method": "fetchall"},
               "description": {"__type__": "call", "target": "_cursor", "method": "description"},
               "rowcount": {"__type__": "call", "target": "_cursor", "method": "rowcount"}}}]
            """, session);

        Assert.Equal(
            JsonNode.Parse("""{"all_results": [[1, {"__type__": "decimal", "__data__": "10.50"}, {"__type__": "datetime", "__data__": "2024-05-01T12:00:00+00:00"}]], "description": [["id", 23, null, 4, null, null, null], ["amount", 1700, null, -1, 10, 2, null], ["created_at", 1184, null, 8, null, null, null]], "rowcount": 1}""")!.ToJsonString(),
            result.ToJsonString());
        var execute = session.Cursor.Calls[0];
        Assert.Equal("execute", execute.Method);
        Assert.Equal("SELECT id, amount, created_at FROM orders WHERE id > %s", ((JsonNode)execute.Arguments.Positional[0]!).GetValue<string>());
        Assert.Equal("[0]", ((JsonNode)execute.Arguments.Positional[1]!).ToJsonString());
    }

    [Fact]
    public async Task Next_runs_on_the_previous_value()
    {
        var session = new FakeSession { Cursor = new FakeCursor(JsonNode.Parse("[[7]]")!.AsArray(), []) };

        var result = await RunAsync("""[{"method": "cursor", "next": {"method": "fetchall"}}]""", session);

        Assert.Equal("[[7]]", result.ToJsonString());
    }

    [Fact]
    public async Task Next_after_an_empty_value_runs_on_its_own_target()
    {
        var session = new FakeSession { Cursor = new FakeCursor(JsonNode.Parse("[[7]]")!.AsArray(), []) };

        var result = await RunAsync("""
            [{"method": "cursor", "store": "c"},
             {"target": "c", "method": "execute", "args": ["SELECT 7", null], "next": {"target": "c", "method": "fetchall"}}]
            """, session);

        Assert.Equal("[[7]]", result.ToJsonString());
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("0")]
    [InlineData("\"\"")]
    [InlineData("false")]
    [InlineData("{}")]
    public async Task An_empty_last_value_is_an_empty_object(string value)
    {
        var session = new FakeSession();
        session.Methods["value"] = _ => JsonNode.Parse(value);

        var result = await RunAsync("""[{"method": "value"}]""", session);

        Assert.Equal("{}", result.ToJsonString());
    }

    [Fact]
    public async Task An_empty_program_is_an_empty_object()
    {
        Assert.Equal("{}", (await RunAsync("[]", new FakeSession())).ToJsonString());
    }

    [Fact]
    public async Task References_calls_and_bytes_are_resolved_at_the_top_level_only()
    {
        var session = new FakeSession();
        session.Methods["one"] = _ => JsonValue.Create(1);
        ProgramArguments? seen = null;
        session.Methods["take"] = a =>
        {
            seen = a;
            return null;
        };

        await RunAsync("""
            [{"method": "one", "store": "v"},
             {"method": "take",
              "args": [{"__reference__": "v"}, {"__type__": "bytes", "__data__": "AAEC"}, [{"__reference__": "v"}]],
              "kwargs": {"c": {"__type__": "call", "method": "one", "store": "w"}, "d": {"__reference__": "w"}}}]
            """, session);

        Assert.NotNull(seen);
        Assert.Equal(1, ((JsonNode)seen.Positional[0]!).GetValue<int>());
        Assert.Equal(new byte[] { 0, 1, 2 }, seen.Positional[1]);
        Assert.Equal("""[{"__reference__":"v"}]""", ((JsonNode)seen.Positional[2]!).ToJsonString());
        Assert.Equal(1, ((JsonNode)seen.Named["c"]!).GetValue<int>());
        Assert.Equal(1, ((JsonNode)seen.Named["d"]!).GetValue<int>()); // the call's store ran before d was resolved
    }

    [Fact]
    public async Task Bytes_in_a_result_take_the_tagged_shape()
    {
        var session = new FakeSession();
        session.Methods["blob"] = _ => new byte[] { 1, 2, 3 };

        var direct = await RunAsync("""[{"method": "blob"}]""", session);
        var inDict = await RunAsync("""[{"target": "__utils", "method": "build_dict", "kwargs": {"b": {"__type__": "call", "method": "blob"}}}]""", session);

        Assert.Equal("""{"__type__":"bytes","__data__":"AQID"}""", direct.ToJsonString());
        Assert.Equal("""{"b":{"__type__":"bytes","__data__":"AQID"}}""", inDict.ToJsonString());
    }

    [Fact]
    public async Task A_missing_variable_is_not_found_in_context()
    {
        var ex = await Assert.ThrowsAsync<OperationFailedException>(() => RunAsync("""[{"target": "_cursor", "method": "fetchall"}]""", new FakeSession()));

        Assert.Equal("_cursor not found in context", ex.Message);
    }

    [Fact]
    public async Task A_missing_reference_is_not_found_in_context()
    {
        var ex = await Assert.ThrowsAsync<OperationFailedException>(() => RunAsync("""[{"method": "cursor", "args": [{"__reference__": "nope"}]}]""", new FakeSession()));

        Assert.Equal("nope not found in context", ex.Message);
    }

    [Fact]
    public async Task An_unknown_method_fails_to_resolve()
    {
        var ex = await Assert.ThrowsAsync<ProgramMethodNotFoundException>(() => RunAsync("""[{"method": "drop_everything"}]""", new FakeSession()));

        Assert.Equal("Failed to resolve method drop_everything", ex.Message);
    }

    [Fact]
    public async Task A_method_on_a_plain_value_fails_to_resolve()
    {
        var session = new FakeSession();
        session.Methods["one"] = _ => JsonValue.Create(1);

        var ex = await Assert.ThrowsAsync<ProgramMethodNotFoundException>(() => RunAsync("""[{"method": "one", "next": {"method": "upper"}}]""", session));

        Assert.Equal("Failed to resolve method upper", ex.Message);
    }

    [Fact]
    public async Task A_program_object_as_the_result_is_an_error()
    {
        var ex = await Assert.ThrowsAsync<OperationFailedException>(() => RunAsync("""[{"method": "cursor"}]""", new FakeSession()));

        Assert.Equal(ConnectorErrorKinds.ProgramError, ex.Kind);
    }

    [Fact]
    public async Task A_program_object_inside_build_dict_is_an_error()
    {
        var ex = await Assert.ThrowsAsync<OperationFailedException>(() => RunAsync(
            """[{"target": "__utils", "method": "build_dict", "kwargs": {"c": {"__type__": "call", "method": "cursor"}}}]""", new FakeSession()));

        Assert.Equal(ConnectorErrorKinds.ProgramError, ex.Kind);
    }

    [Fact]
    public async Task The_context_is_fresh_per_run()
    {
        var program = CommandsProgram.Parse(new JsonObject { ["commands"] = JsonNode.Parse("""[{"method": "cursor", "store": "c"}, {"target": "c", "method": "rowcount"}]""") });
        await program.RunAsync(new FakeSession(), CancellationToken.None);
        var second = CommandsProgram.Parse(new JsonObject { ["commands"] = JsonNode.Parse("""[{"target": "c", "method": "rowcount"}]""") });

        await Assert.ThrowsAsync<OperationFailedException>(() => second.RunAsync(new FakeSession(), CancellationToken.None));
    }

    [Theory]
    [InlineData("""{}""", "'commands' must be a list of commands, not missing")]
    [InlineData("""{"commands": {}}""", "'commands' must be a list of commands, not an object")]
    [InlineData("""{"commands": [1]}""", "commands[0] must be an object, not 1")]
    [InlineData("""{"commands": [{}]}""", "commands[0].method must be a non-empty string, not missing")]
    [InlineData("""{"commands": [{"method": 5}]}""", "commands[0].method must be a non-empty string, not 5")]
    [InlineData("""{"commands": [{"method": "m", "target": 1}]}""", "commands[0].target must be a string, not 1")]
    [InlineData("""{"commands": [{"method": "m", "args": {}}]}""", "commands[0].args must be a list, not an object")]
    [InlineData("""{"commands": [{"method": "m", "kwargs": []}]}""", "commands[0].kwargs must be an object, not an array")]
    [InlineData("""{"commands": [{"method": "m", "store": []}]}""", "commands[0].store must be a string, not an array")]
    [InlineData("""{"commands": [{"method": "m", "next": "x"}]}""", "commands[0].next must be a command object, not the string \"x\"")]
    [InlineData("""{"commands": [{"method": "m", "next": {"method": null}}]}""", "commands[0].next.method must be a non-empty string, not null")]
    [InlineData("""{"commands": [{"method": "m", "args": [{"__type__": "call"}]}]}""", "commands[0].args[0].method must be a non-empty string, not missing")]
    [InlineData("""{"commands": [{"method": "m", "args": [{"__type__": "bytes", "__data__": "%%"}]}]}""", "commands[0].args[0].__data__ must be a base64 string")]
    [InlineData("""{"commands": [{"method": "m", "kwargs": {"k": {"__reference__": 3}}}]}""", "commands[0].kwargs.k.__reference__ must be a string, not 3")]
    public void A_program_of_the_wrong_shape_is_an_invalid_operation(string operation, string message)
    {
        var ex = Assert.Throws<OperationFailedException>(() => CommandsProgram.Parse(JsonNode.Parse(operation)!.AsObject()));

        Assert.Equal(ErrorKinds.InvalidOperation, ex.Kind);
        Assert.Equal(message, ex.Message);
    }
}
