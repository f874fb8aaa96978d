using EgressAgent.Benchmarks;

return args switch
{
    ["offload", .. var rest] => await OffloadBenchmark.RunAsync(rest),
    ["read-path", .. var rest] => await ReadPathBenchmark.RunAsync(rest),
    _ => await LoadBenchmark.RunAsync(args),
};
