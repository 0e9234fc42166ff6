using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using OrleansChat.Tests.Support;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.Tests.Functional.Front;

/// <summary>
/// Issue 17, direct messages signed in: a conversation belongs to the accounts in it, so a user who leaves and signs in
/// again later, or after a restart, finds it, with what was said meanwhile.
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
        Assert.Equal(JsonValueKind.Null, conversation.GetProperty("readSeq").ValueKind);
        var listing = Assert.Single(listed.EnumerateArray());
        Assert.Equal((room, 1L), (listing.GetProperty("room").GetString(), listing.GetProperty("lastSeq").GetInt64()));
        await biaAgain.SendToRoomAsync(room, "voltei");
        Assert.Equal(["enquanto você estava fora", "voltei"], await DirectMessageTests.SeenUntilAsync(biaAgain, conversation, "voltei"));
        await ana.Events.FirstAsync(e => e.IsMessage("voltei"));
    }

    [Fact]
    public async Task A_conversation_its_participants_and_its_history_survive_a_restart_of_the_front()
    {
        var data = Path.Combine(Path.GetTempPath(), "orleanschat-dm-restart-" + Guid.NewGuid().ToString("N"));
        try
        {
            string room;
            await using (var first = new SignedInFrontFactory())
            {
                first.WithDataPath(data);
                await using var ana = await RegisteredAsync(first, "ana");
                await using var bia = await RegisteredAsync(first, "bia");
                var opened = await ana.Connection.InvokeAsync<JsonElement>("OpenConversation", new[] { Nick("bia") });
                room = opened.GetProperty("joined").GetProperty("room").GetString()!;
                await ana.SendToRoomAsync(room, "antes do reinício");
            }

            await using var second = new SignedInFrontFactory();
            second.WithDataPath(data);
            await using var biaAgain = await second.SignInAsync(Nick("bia"));
            var registered = await biaAgain.Connection.InvokeAsync<JsonElement>("Register", (string?)null);
            await using var eve = await RegisteredAsync(second, "eve");
            var refused = await Assert.ThrowsAsync<HubException>(() => eve.JoinRoomAsync(room));

            var conversation = registered.GetProperty("otherRooms").EnumerateArray().Single(r => r.GetProperty("room").GetString() == room);
            Assert.Equal(2, (await biaAgain.SendToRoomAsync(room, "depois")).GetProperty("seq").GetInt64());
            Assert.Equal(["antes do reinício", "depois"], await DirectMessageTests.SeenUntilAsync(biaAgain, conversation, "depois"));
            Assert.EndsWith(ChatErrors.NoSuchConversation, refused.Message);
        }
        finally
        {
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    private Task<ChatClient> RegisteredAsync(string name) => RegisteredAsync(front, name);

    private async Task<ChatClient> RegisteredAsync(SignedInFrontFactory factory, string name)
    {
        var client = await factory.SignInAsync(Nick(name));
        await client.Connection.InvokeAsync<JsonElement>("Register", (string?)null);
        return client;
    }
}
