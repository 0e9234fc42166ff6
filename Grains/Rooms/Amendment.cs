using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Interfaces.Rooms;

namespace OrleansChat.Grains.Rooms;

/// <summary>The outcome of <see cref="MessageAmendments"/>: a status and, when something changes, the message's new state.</summary>
public readonly record struct Amendment(AmendStatus Status, MessagePosted? Changed)
{
    public static Amendment Unchanged => new(AmendStatus.Done, null);

    public static Amendment To(MessagePosted changed) => new(AmendStatus.Done, changed);

    public static Amendment Refused(AmendStatus status) => new(status, null);
}
