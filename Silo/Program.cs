using OrleansChat.Hosting;

var builder = WebApplication.CreateBuilder(args);

builder.ListenByDefaultOn("http://0.0.0.0:8882");
builder.AddOrleansChatSilo();
builder.AddChatOperations("orleanschat-silo", readiness => readiness.AddCheck<ClusterReadyCheck>("cluster"));

var app = builder.Build();

app.MapChatOperations();

app.Run();
