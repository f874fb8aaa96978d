using EgressAgent.Benchmarks;

return await LoadBenchmark.RunAsync(args);
