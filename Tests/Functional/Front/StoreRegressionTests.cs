using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.Tests.Support;

namespace OrleansChat.Tests.Functional.Front;

/// <summary>
/// The history store comes back older than what the room published (a restore from backup, a store that lost its
/// last writes) while the front lives on. The front saw more than the room has, so no number it handed out may be
/// handed out again, and its users must see every later message once, and be told.
/// </summary>
public sealed class StoreRegressionTests : IAsyncLifetime
{
    private const string Room = "dev";
    // The periodic catch-up would notice the room went back on its own; these tests choose the path that notices.
    private readonly ChatFrontFactory _front = new ChatFrontFactory().With("OrleansChat:Front:CatchUpInterval", "00:10:00");
    private readonly string _backup = Path.Combine(Path.GetTempPath(), "orleanschat-backup-" + Guid.NewGuid().ToString("N"));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _front.DisposeAsync();
        if (Directory.Exists(_backup))
        {
            Directory.Delete(_backup, recursive: true);
        }
    }

    [Fact]
    public async Task After_the_store_goes_back_no_seq_is_reused_and_every_user_gets_the_room_again_then_every_later_message_once()
    {
        await using var ana = await RegisteredInRoomAsync("ana");
        await using var bia = await RegisteredInRoomAsync("bia");
        var before = await PostAsync(bia, 12);
        var epoch = (await ana.Connection.InvokeAsync<JsonElement>("History", Room, null, 1)).GetProperty("epoch").GetString();
        await ReceivedUpToAsync([ana, bia], 12);
        CopyDirectory(_front.DataPath, _backup);
        await PostAsync(ana, 10);
        await ReceivedUpToAsync([ana, bia], 22);

        // The backup goes back in, and the room reloads from it (as after a silo restart).
        Directory.Delete(_front.DataPath, recursive: true);
        CopyDirectory(_backup, _front.DataPath);
        await _front.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0)
            .ForceActivationCollection(TimeSpan.Zero);
        var after = await PostAsync(bia, 3);

        Assert.Equal([65L, 66L, 67L], after.Select(m => m.Seq));
        foreach (var user in new[] { ana, bia })
        {
            var reset = (await user.Events.FirstAsync(e => e.Event == "history_reset")).Broadcast!.Value;
            Assert.Equal(Room, reset.GetProperty("room").GetString());
            Assert.NotEqual(epoch, reset.GetProperty("epoch").GetString());
            // The room's messages as it has them now: what survived, and the first later ones if they were stored
            // before the front read them; the rest come live, after it.
            var shown = Messages(reset.GetProperty("messages"));
            Assert.Equal(before, shown.Take(before.Count));
            Assert.Equal(shown.Count > before.Count ? shown[^1].Seq : 64, reset.GetProperty("lastSeq").GetInt64());
            while (shown.Count < before.Count + after.Count)
            {
                var e = await user.Events.FirstAsync(e => e.Event is "broadcast_message" or "history_reset");
                Assert.Equal("broadcast_message", e.Event);
                shown.Add(Message(e.Broadcast!.Value));
            }

            Assert.Equal(before.Concat(after), shown);
        }

        var history = await ana.Connection.InvokeAsync<JsonElement>("History", Room, null, 100);
        Assert.Equal(before.Concat(after), Messages(history.GetProperty("messages")));
        Assert.Contains(_front.Logs.Errors, e => e.Contains("the store went back"));
    }

    [Fact]
    public async Task A_number_handed_out_again_before_any_front_reported_is_caught_by_its_id_and_nothing_is_dropped()
    {
        await using var ana = await RegisteredInRoomAsync("ana");
        await using var bia = await RegisteredInRoomAsync("bia");
        var before = await PostAsync(bia, 12);
        await ReceivedUpToAsync([ana, bia], 12);
        CopyDirectory(_front.DataPath, _backup);
        await PostAsync(ana, 10);
        await ReceivedUpToAsync([ana, bia], 22);
        Directory.Delete(_front.DataPath, recursive: true);
        CopyDirectory(_backup, _front.DataPath);
        var grains = _front.Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        // A post that carries no front's position, as from a front that never relayed the room: the reloaded room
        // cannot know, and gives it a number this front already delivered under another message.
        var room = grains.GetGrain<IChatRoomGrain>(Room);
        var ghost = Guid.NewGuid();
        await room.Join(new JoinRequest("caio", ghost, "elsewhere"));
        var reused = (await room.Post(new PostRequest(Guid.NewGuid(), "caio", ghost, "from elsewhere"))).Message!;
        Assert.Equal(13, reused.Seq);

        foreach (var user in new[] { ana, bia })
        {
            var reset = (await user.Events.FirstAsync(e => e.Event == "history_reset")).Broadcast!.Value;
            Assert.Equal([.. before, (13L, "from elsewhere")], Messages(reset.GetProperty("messages")));
        }

        var after = await PostAsync(bia, 1);
        Assert.True(after[0].Seq > 22, $"seq {after[0].Seq} was delivered before");
        await ReceivedUpToAsync([ana, bia], after[0].Seq);
    }

    private async Task<ChatClient> RegisteredInRoomAsync(string nickname)
    {
        var client = await _front.ConnectAsync();
        await client.RegisterAsync(nickname);
        await client.JoinRoomAsync(Room);
        return client;
    }

    /// <summary>Posts <paramref name="count"/> messages; returns each acknowledgement's seq with its text.</summary>
    private static async Task<List<(long Seq, string Text)>> PostAsync(ChatClient sender, int count)
    {
        var acked = new List<(long, string)>();
        for (var i = 0; i < count; i++)
        {
            var text = $"{Guid.NewGuid():N}";
            var ack = await sender.SendToRoomAsync(Room, text);
            acked.Add((ack.GetProperty("seq").GetInt64(), text));
        }

        return acked;
    }

    private static async Task ReceivedUpToAsync(ChatClient[] users, long seq)
    {
        foreach (var user in users)
        {
            await user.Events.FirstAsync(e => e.Event == "broadcast_message" && Message(e.Broadcast!.Value).Seq == seq);
        }
    }

    private static (long Seq, string Text) Message(JsonElement broadcast) =>
        (broadcast.GetProperty("seq").GetInt64(), broadcast.GetProperty("msg").GetString()!);

    private static List<(long Seq, string Text)> Messages(JsonElement messages) =>
        [.. messages.EnumerateArray().Select(Message)];

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }
}
