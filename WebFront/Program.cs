using OrleansChat.Hosting;
using OrleansChat.WebFront.Endpoints;
using OrleansChat.WebFront.Hosting;

var builder = WebApplication.CreateBuilder(args);

builder.ListenByDefaultOn("http://0.0.0.0:8881");
builder.AddChatCluster();
builder.AddChatFront();

var app = builder.Build();

app.MapChatOperations();
app.MapChatEndpoints();

app.Run();

/// <summary>The entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
