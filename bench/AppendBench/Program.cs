using OrleansChat.Bench;

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

await using var silo = await BenchSilo.StartAsync(options.Storage);
try
{
    var checkpoints = await new AppendBenchmark(silo.Grains, options, Console.Error).RunAsync(silo.Stopping);
    AppendReport.Write(options, checkpoints, Console.Out);
    return 0;
}
catch (OperationCanceledException) when (silo.Stopping.IsCancellationRequested)
{
    Console.Error.WriteLine("Stopped before the last size was measured.");
    return 130;
}
