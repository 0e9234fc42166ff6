using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using OrleansChat.Tests.Support;

namespace OrleansChat.Tests.Functional.Front;

/// <summary>History in the embedded default outlives the process: a second front on the same data folder has it.</summary>
public sealed class EmbeddedRestartTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "orleanschat-restart-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task History_epoch_and_sequence_survive_a_restart_of_the_front()
    {
        JsonElement before;
        await using (var first = new ChatFrontFactory().WithDataPath(_data))
        {
            await using var ana = await first.ConnectAsync();
            await ana.RegisterAsync("ana");
            for (var i = 1; i <= 70; i++)
            {
                await ana.SendAsync($"m{i}");
            }

            before = await ana.Connection.InvokeAsync<JsonElement>("History", "geral", null, 100);
        }

        await using var second = new ChatFrontFactory().WithDataPath(_data);
        await using var bia = await second.ConnectAsync();
        var registered = await bia.RegisterAsync("bia");
        var after = await bia.Connection.InvokeAsync<JsonElement>("History", "geral", null, 100);
        var ack = await bia.SendAsync("after restart");

        Assert.Equal(before.GetProperty("epoch").GetString(), after.GetProperty("epoch").GetString());
        Assert.Equal(Enumerable.Range(1, 70).Select(i => $"m{i}"),
            after.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("msg").GetString()));
        Assert.Equal(70, registered.GetProperty("joined").GetProperty("lastSeq").GetInt64());
        Assert.Equal(71, ack.GetProperty("seq").GetInt64());
    }

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }
}
