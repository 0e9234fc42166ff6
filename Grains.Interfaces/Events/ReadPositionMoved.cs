namespace OrleansChat.Grains.Interfaces.Events;

/// <summary>The user read <see cref="Room"/> up to <see cref="Seq"/> (in <see cref="Epoch"/>) on one of their devices.</summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.ReadPositionMoved")]
public sealed record ReadPositionMoved(
    string User,
    DateTimeOffset At,
    [property: Id(0)] string Room,
    [property: Id(1)] string Epoch,
    [property: Id(2)] long Seq) : UserEvent(User, At);
