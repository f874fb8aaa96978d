using EgressAgent.Soak;

// The chaos soak (docs/reliability.md, "Chaos soak"): exit 0 when every invariant held, 1 when one
// broke, 2 for bad arguments.
return await SoakCommand.RunAsync(args);
