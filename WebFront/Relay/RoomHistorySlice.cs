using OrleansChat.WebFront.Protocol;

namespace OrleansChat.WebFront.Relay;

/// <summary>What a joining connection gets from the relay: the epoch, the seam, and the messages before it.</summary>
public sealed record RoomHistorySlice(string Epoch, long LastSeq, IReadOnlyList<BroadcastMessage> Messages, bool Recovered);
