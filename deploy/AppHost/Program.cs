using OrleansChat.AppHost;

// Redis, two silos and two fronts on 127.0.0.1, as deploy/local-cluster.sh starts them, each process with the ports
// ClusterLayout gives it. `dotnet run --project deploy/AppHost -- --PortOffset 100` moves every port, to run beside
// another chat.
var builder = DistributedApplication.CreateBuilder(args);
var layout = ClusterLayout.From(builder.Configuration);

var redis = builder.AddLocalRedis(layout.Redis);
var silos = layout.Silos.Select(silo => builder.AddSilo(silo, redis)).ToList();
foreach (var front in layout.Fronts)
{
    builder.AddFront(front, redis, silos);
}

builder.Build().Run();
