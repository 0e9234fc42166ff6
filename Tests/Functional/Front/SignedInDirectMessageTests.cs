using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using OrleansChat.Tests.Support;

namespace OrleansChat.Tests.Functional.Front;

/// <summary>
/// Issue 17, direct messages signed in: a conversation belongs to the accounts in it, so a user who leaves and signs in
/// again later finds it, with what was said meanwhile.
/// </summary>
public sealed class SignedInDirectMessageTests(SignedInFrontFactory front) : IClassFixture<SignedInFrontFactory>
{
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];

    private string Nick(string name) => $"{name}{_tag}";

    [Fact]
    public async Task A_new_session_of_the_account_enters_its_conversations_with_what_was_said_meanwhile()
    {
        await using var ana = await RegisteredAsync("ana");
        var bia = await RegisteredAsync("bia");
        var opened = await ana.Connection.InvokeAsync<JsonElement>("OpenConversation", new[] { Nick("bia") });
        var room = opened.GetProperty("joined").GetProperty("room").GetString()!;
        await bia.Events.FirstAsync(e => e.Event == "room_joined" && e.Room == room);

        await bia.DisposeAsync();
        await ana.Events.FirstAsync(e => e.Room == room && e.IsPresence(Nick("bia"), "left"));
        await ana.SendToRoomAsync(room, "enquanto você estava fora");
        await using var biaAgain = await front.SignInAsync(Nick("bia"));
        var registered = await biaAgain.Connection.InvokeAsync<JsonElement>("Register", (string?)null);
        var listed = await biaAgain.Connection.InvokeAsync<JsonElement>("Conversations");

        var conversation = registered.GetProperty("otherRooms").EnumerateArray().Single(r => r.GetProperty("room").GetString() == room);
        Assert.Equal(
            ["enquanto você estava fora"],
            conversation.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("msg").GetString()));
        Assert.Equal(JsonValueKind.Null, conversation.GetProperty("readSeq").ValueKind);
        var listing = Assert.Single(listed.EnumerateArray());
        Assert.Equal((room, 1L), (listing.GetProperty("room").GetString(), listing.GetProperty("lastSeq").GetInt64()));
        await biaAgain.SendToRoomAsync(room, "voltei");
        await ana.Events.FirstAsync(e => e.IsMessage("voltei"));
    }

    private async Task<ChatClient> RegisteredAsync(string name)
    {
        var client = await front.SignInAsync(Nick(name));
        await client.Connection.InvokeAsync<JsonElement>("Register", (string?)null);
        return client;
    }
}
