using Microsoft.AspNetCore.SignalR;

namespace OrleansChat.Bench.PlainSignalR;

/// <summary>The seed chat on a bare hub: one room (everyone), nickname per connection, no validation or history.</summary>
public sealed class PlainChatHub : Hub
{
    private const string NicknameItem = "nickname";
    private const string Room = "geral";
    private static long s_seq;

    public async Task<RegisterAck> Register(string nickname)
    {
        Context.Items[NicknameItem] = nickname;
        await Clients.All.SendAsync("message", $"{nickname} entrou no chat.");
        return new RegisterAck(nickname, Room);
    }

    public async Task<MessageAck> Message(string text)
    {
        if (Context.Items[NicknameItem] is not string nickname)
        {
            throw new HubException("Register a nickname before sending messages.");
        }

        // The same payload shape as OrleansChat's broadcast_message, so the wire cost is comparable.
        var message = new BroadcastMessage(text, nickname, Guid.NewGuid(), Interlocked.Increment(ref s_seq), Room, DateTimeOffset.UtcNow);
        await Clients.All.SendAsync("broadcast_message", message);
        return new MessageAck(message.Id, message.Seq, Room);
    }

    public override Task OnDisconnectedAsync(Exception? exception) =>
        Context.Items.TryGetValue(NicknameItem, out var nickname)
            ? Clients.Others.SendAsync("message", $"{nickname} saiu do chat.")
            : Task.CompletedTask;
}

public sealed record RegisterAck(string Nickname, string Room);

public sealed record MessageAck(Guid Id, long Seq, string Room);

public sealed record BroadcastMessage(string Msg, string Nickname, Guid Id, long Seq, string Room, DateTimeOffset SentAt);
