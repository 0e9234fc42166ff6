using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.Tests.Support;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.Tests.Functional.FaultInjection;

/// <summary>
/// A history file of the embedded mode's file storage is damaged on disk between two runs of the front. What a user
/// meets must be a clear error where the damage is, and the rest of the chat working; the operator gets an error log
/// line naming the file; nothing takes the silo down.
/// </summary>
public sealed class CorruptHistoryFileTests : IDisposable
{
    private const string Room = "sala";

    private readonly string _data = Path.Combine(Path.GetTempPath(), "orleanschat-corrupt-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Fact]
    public async Task A_corrupt_room_log_makes_the_room_answer_unavailable_while_other_rooms_go_on()
    {
        await ChatInRoomAsync(3);
        Corrupt(StateFile("log", GrainId.Create("chatroom", Room)));

        await using var front = new ChatFrontFactory().WithDataPath(_data);
        await using var bia = await front.ConnectAsync();
        await bia.RegisterAsync("bia");
        var join = await Assert.ThrowsAsync<HubException>(() => bia.JoinRoomAsync(Room));
        var elsewhere = await bia.SendAsync("geral still works");

        Assert.EndsWith(ChatErrors.Unavailable, join.Message);
        Assert.Equal(1, elsewhere.GetProperty("seq").GetInt64());
        Assert.Contains(front.Logs.Errors, e => e.Contains("cannot read grain state file") && e.Contains("checksum"));
    }

    [Fact]
    public async Task A_corrupt_old_history_page_fails_only_the_history_reads_that_reach_it()
    {
        const int messages = 2 * 64 + 12;
        var epoch = await ChatInRoomAsync(messages);
        Corrupt(StateFile("page", GrainId.Create("historypage", HistoryPageKey.For(Room, epoch, 0))));

        await using var front = new ChatFrontFactory().WithDataPath(_data);
        await using var bia = await front.ConnectAsync();
        await bia.RegisterAsync("bia");
        var joined = await bia.JoinRoomAsync(Room);
        var ack = await bia.SendToRoomAsync(Room, "the room goes on");
        var recent = await bia.Connection.InvokeAsync<JsonElement>("History", Room, null, 50);
        var old = await Assert.ThrowsAsync<HubException>(
            () => bia.Connection.InvokeAsync<JsonElement>("History", Room, 60L, 10));

        Assert.Equal(messages, joined.GetProperty("lastSeq").GetInt64());
        Assert.Equal(messages + 1, ack.GetProperty("seq").GetInt64());
        Assert.Equal(Enumerable.Range(messages + 1 - 49, 50).Select(i => (long)i),
            recent.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()));
        Assert.EndsWith(ChatErrors.Unavailable, old.Message);
        Assert.Contains(front.Logs.Errors, e => e.Contains("cannot read grain state file") && e.Contains("checksum"));
    }

    /// <summary>A first run of the front in which ana posts to the room; returns the room's history epoch.</summary>
    private async Task<string> ChatInRoomAsync(int count)
    {
        await using var front = new ChatFrontFactory().WithDataPath(_data);
        await using var ana = await front.ConnectAsync();
        await ana.RegisterAsync("ana");
        var joined = await ana.JoinRoomAsync(Room);
        for (var i = 1; i <= count; i++)
        {
            await ana.SendToRoomAsync(Room, $"m{i}");
        }

        return joined.GetProperty("epoch").GetString()!;
    }

    /// <summary>Where the file storage keeps a state: named by the hash of its state name and grain id.</summary>
    private string StateFile(string stateName, GrainId grainId)
    {
        var hex = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{stateName}\n{grainId}")));
        var path = Path.Combine(_data, hex[..2], hex + ".state");
        Assert.True(File.Exists(path), $"No state file for {stateName} of {grainId}.");
        return path;
    }

    /// <summary>Flips a bit in the state's last byte, as a bad sector or a torn copy would: the length still holds.</summary>
    private static void Corrupt(string path)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(path, bytes);
    }
}
