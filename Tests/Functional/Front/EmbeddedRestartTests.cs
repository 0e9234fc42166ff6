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
            await using var ana = await WithSeventyMessagesAsync(first);
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

    [Fact]
    public async Task Edits_deletes_and_reactions_survive_a_restart_as_they_were_left()
    {
        JsonElement before;
        await using (var first = new ChatFrontFactory().WithDataPath(_data))
        {
            await using var ana = await WithSeventyMessagesAsync(first);
            // m3 and m5 are in the sealed first page, m70 in the head.
            await ana.Connection.InvokeAsync<JsonElement>("EditMessage", "geral", 3L, "m3, edited");
            await ana.Connection.InvokeAsync<JsonElement>("DeleteMessage", "geral", 5L);
            await ana.Connection.InvokeAsync<JsonElement>("React", "geral", 70L, "🎉", true);
            before = await ana.Connection.InvokeAsync<JsonElement>("History", "geral", null, 100);
        }

        await using var second = new ChatFrontFactory().WithDataPath(_data);
        await using var ana2 = await second.ConnectAsync();
        var registered = await ana2.RegisterAsync("ana");
        var after = await ana2.Connection.InvokeAsync<JsonElement>("History", "geral", null, 100);

        var messages = after.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(70, messages.Count);
        Assert.Equal(before.GetProperty("messages").GetRawText(), after.GetProperty("messages").GetRawText());
        Assert.Equal(("m3, edited", true, "🎉"), (
            messages[2].GetProperty("msg").GetString(), messages[4].GetProperty("deleted").GetBoolean(),
            messages[69].GetProperty("reactions")[0].GetProperty("emoji").GetString()));
        Assert.Equal(73, registered.GetProperty("joined").GetProperty("lastSeq").GetInt64());
        // A stranger now holds the nickname "ana": the messages were the first session's, not theirs.
        var refused = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() =>
            ana2.Connection.InvokeAsync<JsonElement>("EditMessage", "geral", 3L, "mine now"));
        Assert.EndsWith(OrleansChat.WebFront.Protocol.ChatErrors.NotYourMessage, refused.Message);
    }

    /// <summary>ana, registered, has posted m1 to m70 in geral: a sealed page of 64 and six in the head.</summary>
    private static async Task<ChatClient> WithSeventyMessagesAsync(ChatFrontFactory front)
    {
        var ana = await front.ConnectAsync();
        await ana.RegisterAsync("ana");
        for (var i = 1; i <= 70; i++)
        {
            await ana.SendAsync($"m{i}");
        }

        return ana;
    }

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }
}
