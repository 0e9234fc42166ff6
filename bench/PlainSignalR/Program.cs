using OrleansChat.Bench.PlainSignalR;

// A bare ASP.NET Core SignalR hub that speaks the seed's protocol on /hubs/chat, so the load tool can drive it
// exactly like OrleansChat. Listens where ASPNETCORE_URLS says.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSignalR();

var app = builder.Build();
app.UseWebSockets();
app.MapHub<PlainChatHub>("/hubs/chat");
app.MapGet("/", () => "plain SignalR chat hub for the load benchmark");
app.Run();
