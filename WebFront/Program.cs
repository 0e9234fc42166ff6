using OrleansChat.Hosting;
using OrleansChat.WebFront.Endpoints;
using OrleansChat.WebFront.Hosting;

var builder = WebApplication.CreateBuilder(args);

builder.ListenByDefaultOn("http://0.0.0.0:8881");
// The page's files from a build as well as from a publish, in every environment: `dotnet run` and local-cluster.sh run
// the build output, where the compressed files MapStaticAssets lists are under obj/, found through this manifest. Files
// are served as the build listed them (appsettings.json, ReloadStaticAssetsAtRuntime: false): an edit needs a build.
builder.WebHost.UseStaticWebAssets();
builder.AddChatCluster();
builder.AddChatFront();

var app = builder.Build();

app.MapChatOperations();
app.MapChatEndpoints();

app.Run();

/// <summary>The entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
