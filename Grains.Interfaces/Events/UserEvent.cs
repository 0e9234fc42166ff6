namespace OrleansChat.Grains.Interfaces.Events;

/// <summary>
/// Something that happened to one user, whichever connection or device caused it: published on the user's stream
/// (<see cref="ChatStreams.ForUser"/>) for every front holding a connection of the user. <see cref="User"/> is the
/// user key.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.UserEvent")]
public abstract record UserEvent([property: Id(0)] string User, [property: Id(1)] DateTimeOffset At);
