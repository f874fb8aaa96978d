using EgressAgent.Host.Commands;

return await AgentCommandLine.InvokeAsync(args);
