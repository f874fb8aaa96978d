using EgressAgent.Benchmarks;

return args is ["offload", .. var rest]
    ? await OffloadBenchmark.RunAsync(rest)
    : await LoadBenchmark.RunAsync(args);
