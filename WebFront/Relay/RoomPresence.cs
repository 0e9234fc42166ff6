using OrleansChat.Grains.Interfaces.Rules;
using OrleansChat.WebFront.Connections;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.WebFront.Relay;

/// <summary>
/// A room's joins and leaves on their way out: sent at once after a quiet window, otherwise held for the rest of the
/// window (<see cref="PresenceWindow"/>) and sent together. Held changes go out before any later event of the room,
/// so clients see everything in the order it happened. Used under the room's gate.
/// </summary>
internal sealed class RoomPresence(string room, RoomFanOut fanOut, RelayServices services, Func<Task> flushLater)
{
    private readonly PresenceWindow _window = new(services.Front.PresenceWindow, services.Time);

    /// <summary>Sends a join or leave now, or holds it for the rest of the window.</summary>
    public void Announce(HeldPresence change)
    {
        if (_window.Admit(change, out var flushIn))
        {
            Send([change]);
        }
        else if (flushIn is { } delay)
        {
            _ = FlushAfterAsync(delay);
        }
    }

    /// <summary>Sends what is held, so the event about to be added reaches clients after it.</summary>
    public void Flush()
    {
        if (_window.HasHeld)
        {
            Send(_window.Release());
        }
    }

    /// <summary>The subscription ended: what is held is news to nobody.</summary>
    public void Forget() => _window.Release();

    private async Task FlushAfterAsync(TimeSpan delay)
    {
        await Task.Delay(delay, services.Time);
        await flushLater();
    }

    /// <summary>
    /// The original's notices first (in <c>geral</c>, while the room is small enough for them to be news), then one
    /// <c>presence</c> for a single change or one <c>presence_batch</c> for several.
    /// </summary>
    private void Send(IReadOnlyList<HeldPresence> changes)
    {
        if (room == ChatRules.DefaultRoom)
        {
            var noticeMaxMembers = services.Front.NoticeMaxMembers;
            foreach (var change in changes.Where(c => c.MemberCount <= noticeMaxMembers))
            {
                var notice = change.Kind == PresenceEvent.Joined
                    ? ChatNotices.Joined(change.Nickname)
                    : ChatNotices.Left(change.Nickname);
                fanOut.Add(ChatEvents.Notice, notice);
            }
        }

        var last = changes[^1];
        if (changes.Count == 1)
        {
            fanOut.Add(ChatEvents.Presence, new PresenceEvent(room, last.Nickname, last.Kind, last.MemberCount));
        }
        else
        {
            var batch = changes.Select(c => new PresenceChange(c.Nickname, c.Kind)).ToList();
            fanOut.Add(ChatEvents.PresenceBatch, new PresenceBatchEvent(room, batch, last.MemberCount));
        }
    }
}
