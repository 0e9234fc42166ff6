using OrleansChat.Grains.Interfaces.Events;

namespace OrleansChat.Grains.Interfaces.Rooms;

/// <summary>
/// Messages with <see cref="FromSeq"/> ≤ seq ≤ <see cref="ToSeq"/>; when there are more than <see cref="Limit"/>,
/// the latest <see cref="Limit"/> of them (the ones nearest <see cref="ToSeq"/>). Amendments are entries too, except
/// with <see cref="MessagesOnly"/>: then only messages are returned and counted, each as it now is, which is what a
/// reader paging back or a client starting afresh wants.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.MessageQuery")]
public sealed record MessageQuery(
    [property: Id(0)] long FromSeq,
    [property: Id(1)] long ToSeq,
    [property: Id(2)] int Limit,
    [property: Id(3)] bool MessagesOnly = false);

/// <summary>
/// Stored messages, oldest first. <see cref="FirstSeq"/> is the oldest message retention still keeps, so a client
/// can tell whether there is more to page back to.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.MessageRange")]
public sealed record MessageRange(
    [property: Id(0)] string Epoch,
    [property: Id(1)] long FirstSeq,
    [property: Id(2)] long LastSeq,
    [property: Id(3)] IReadOnlyList<MessagePosted> Messages);
