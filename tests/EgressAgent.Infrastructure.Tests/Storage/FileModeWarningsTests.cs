using System.Runtime.Versioning;
using EgressAgent.Infrastructure.Storage;
using EgressAgent.Tests.Shared;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EgressAgent.Infrastructure.Tests.Storage;

/// <summary>Contract §10 "Files": loose modes are warned about at start, by path and mode, never by content.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class FileModeWarningsTests : IDisposable
{
    private const string Secret = "token-SECRET-in-the-file-91d2";
    private readonly string _root = Directory.CreateTempSubdirectory("egress-modes-tests-").FullName;
    private readonly AgentSections _options = new();
    private readonly CapturingLogger _logger = new();

    public FileModeWarningsTests()
    {
        _options.Storage.DataDirectory = Path.Combine(_root, "data");
        Directory.CreateDirectory(_options.Storage.DataDirectory, PrivateDirectory.OwnerOnly);
    }

    [Theory]
    [InlineData(UnixFileMode.OtherRead, "0604")]
    [InlineData(UnixFileMode.GroupRead, "0640")]
    [InlineData(UnixFileMode.GroupRead | UnixFileMode.OtherRead, "0644")]
    public void A_token_file_group_or_others_can_read_is_a_warning_naming_path_and_mode(UnixFileMode extra, string mode)
    {
        var tokenFile = TokenFile(UnixFileMode.UserRead | UnixFileMode.UserWrite | extra);

        Run();

        var warning = Assert.Single(_logger.Warnings);
        Assert.Contains(tokenFile, warning, StringComparison.Ordinal);
        Assert.Contains(mode, warning, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, warning, StringComparison.Ordinal);
    }

    [Fact]
    public void A_token_file_only_its_owner_can_read_is_no_warning()
    {
        TokenFile(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupWrite);

        Run();

        Assert.Empty(_logger.Warnings);
    }

    [Fact]
    public void A_token_file_behind_a_symbolic_link_is_judged_by_its_target()
    {
        var target = TokenFile(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var link = Path.Combine(_root, "link.json");
        File.CreateSymbolicLink(link, target);
        _options.Orchestrator.TokenFile = link;

        Run();

        Assert.Contains("0444", Assert.Single(_logger.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void A_data_directory_others_can_enter_is_a_warning_and_one_only_its_group_can_is_not()
    {
        File.SetUnixFileMode(_options.Storage.DataDirectory, PrivateDirectory.OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute);
        Run();
        Assert.Empty(_logger.Warnings);

        File.SetUnixFileMode(_options.Storage.DataDirectory, PrivateDirectory.OwnerOnly | UnixFileMode.OtherExecute);
        Run();
        var warning = Assert.Single(_logger.Warnings);
        Assert.Contains(_options.Storage.DataDirectory, warning, StringComparison.Ordinal);
        Assert.Contains("0701", warning, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string TokenFile(UnixFileMode mode)
    {
        var path = Path.Combine(_root, "token.json");
        File.WriteAllText(path, $$"""{"mcd_id": "id", "mcd_token": "{{Secret}}"}""");
        File.SetUnixFileMode(path, mode);
        _options.Orchestrator.TokenFile = path;
        return path;
    }

    private void Run() => new FileModeWarnings(Options.Create(_options.Orchestrator), Options.Create(_options.Storage), _logger).LogAtStart();

    private sealed class CapturingLogger : ILogger<FileModeWarnings>
    {
        private readonly List<string> _warnings = [];

        public IReadOnlyList<string> Warnings => _warnings;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                _warnings.Add(formatter(state, exception));
            }
        }
    }
}
