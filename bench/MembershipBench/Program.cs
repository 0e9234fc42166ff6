using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using OrleansChat.Bench;
using OrleansChat.Grains.Rooms;
using OrleansChat.Grains.Storage;

if (args.Any(a => a is "--help" or "-h"))
{
    Console.WriteLine(MembershipBenchOptions.Usage);
    return 0;
}

MembershipBenchOptions options;
try
{
    options = MembershipBenchOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(MembershipBenchOptions.Usage);
    return 2;
}

CountingStorageSerializer? presence = null;
await using var silo = await BenchSilo.StartAsync(HistoryStorage.Memory, s =>
{
    s.Services.Configure<ChatRoomOptions>(o => o.MaxMembersPerRoom = MembershipBenchOptions.MaxMembersPerRoom);
    s.Services.PostConfigure<MemoryGrainStorageOptions>(ChatStorage.Presence, o =>
        o.GrainStorageSerializer = presence = new CountingStorageSerializer(o.GrainStorageSerializer));
});
try
{
    var benchmark = new MembershipBenchmark(
        silo.Grains,
        options,
        presence ?? throw new InvalidOperationException("The presence storage was not built with the silo."),
        Console.Error);
    var checkpoints = await benchmark.RunAsync(silo.Stopping);
    MembershipReport.Write(options, checkpoints, Console.Out);
    return 0;
}
catch (OperationCanceledException) when (silo.Stopping.IsCancellationRequested)
{
    Console.Error.WriteLine("Stopped before the last size was measured.");
    return 130;
}
