using EgressAgent.Host.Commands;

// The commands (run, check, demo, emulator) are parsed in Commands/AgentCommandLine.cs; the
// composition root — run's steps and the layers of one agent — is Composition/AgentHost.cs.
return await AgentCommandLine.InvokeAsync(args);

/// <summary>
/// Declared so the entry point stays internal: the ASP.NET Core framework reference (through
/// the emulator) brings a generator that otherwise makes a top-level <c>Program</c> public.
/// </summary>
internal sealed partial class Program;
