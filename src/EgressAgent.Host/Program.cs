using EgressAgent.Host.Commands;

return await AgentCommandLine.InvokeAsync(args);

/// <summary>
/// Declared so the entry point stays internal: the ASP.NET Core framework reference (through
/// the emulator) brings a generator that otherwise makes a top-level <c>Program</c> public.
/// </summary>
internal sealed partial class Program;
