using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using OrleansChat.Bench;
using OrleansChat.Grains.Storage;

if (args.Any(a => a is "--help" or "-h"))
{
    Console.WriteLine(AppendBenchOptions.Usage);
    return 0;
}

AppendBenchOptions options;
try
{
    options = AppendBenchOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(AppendBenchOptions.Usage);
    return 2;
}

// In memory, every state the history storage writes passes through its serializer: that is where bytes are counted.
CountingStorageSerializer? written = null;
await using var silo = await BenchSilo.StartAsync(options.Storage, s =>
    s.Services.PostConfigure<MemoryGrainStorageOptions>(ChatStorage.History, o =>
        o.GrainStorageSerializer = written = new CountingStorageSerializer(o.GrainStorageSerializer)));
try
{
    var checkpoints = await new AppendBenchmark(silo.Grains, options, written, Console.Error).RunAsync(silo.Stopping);
    AppendReport.Write(options, checkpoints, Console.Out);
    return 0;
}
catch (OperationCanceledException) when (silo.Stopping.IsCancellationRequested)
{
    Console.Error.WriteLine("Stopped before the last size was measured.");
    return 130;
}
