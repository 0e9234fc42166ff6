using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using OrleansChat.Tests.Support;

namespace OrleansChat.Tests.Functional.Front;

/// <summary>
/// Issue 17: <c>@nickname</c> is recognised against the room's members. A message names the members it mentions, live
/// and in history; one that mentions nobody looks exactly as in the original.
/// </summary>
public sealed class MentionTests(ChatFrontFactory front) : IClassFixture<ChatFrontFactory>
{
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];

    private string Nick(string name) => $"{name}{_tag}";

    [Fact]
    public async Task A_message_names_the_members_it_mentions_live_and_in_history()
    {
        await using var ana = await RegisteredAsync("Ana");
        await using var bia = await RegisteredAsync("bia");
        var room = $"dev{_tag}";
        await ana.JoinRoomAsync(room);
        await bia.JoinRoomAsync(room);

        await ana.SendToRoomAsync(room, $"@{Nick("BIA")}, olhe isto (e @{Nick("caio")}, que não está aqui)");
        await ana.SendToRoomAsync(room, "sem menções");

        var mentioning = (await bia.Events.FirstAsync(e => e.Event == "broadcast_message" && e.Room == room)).Broadcast!.Value;
        var plain = (await bia.Events.FirstAsync(e => e.Event == "broadcast_message" && e.Room == room)).Broadcast!.Value;
        Assert.Equal([Nick("bia")], mentioning.GetProperty("mentions").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(
            ["msg", "nickname", "id", "seq", "room", "sentAt"],
            plain.EnumerateObject().Select(p => p.Name));
        var history = await bia.Connection.InvokeAsync<JsonElement>("History", room, null, 10);
        var stored = history.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal([Nick("bia")], stored[0].GetProperty("mentions").EnumerateArray().Select(m => m.GetString()));
        Assert.False(stored[1].TryGetProperty("mentions", out _));
    }

    private async Task<ChatClient> RegisteredAsync(string name)
    {
        var client = await front.ConnectAsync();
        await client.RegisterAsync(Nick(name));
        return client;
    }
}
