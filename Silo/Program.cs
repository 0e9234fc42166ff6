using OrleansChat.Grains.Hosting;

var builder = WebApplication.CreateBuilder(args);

builder.AddOrleansChatSilo();

var app = builder.Build();

app.Run();
