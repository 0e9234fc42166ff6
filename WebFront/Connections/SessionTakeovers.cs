using OrleansChat.Grains.Interfaces.Fronts;
using OrleansChat.Grains.Interfaces.Sessions;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.WebFront.Connections;

/// <summary>
/// This front's ear in the cluster (<see cref="IFrontConnections"/>): when a session one of its connections holds is
/// resumed on another connection, here or on another front, the old connection is closed with
/// <see cref="ChatErrors.SessionTakenOver"/>. One session has one connection; its close then ends nothing, because the
/// nickname grain ignores a close from a connection that no longer holds the session.
/// </summary>
public sealed partial class SessionTakeovers(IGrainFactory grains, ChatConnections connections, ILogger<SessionTakeovers> logger)
    : IFrontConnections
{
    private IFrontConnections? _reference;

    /// <summary>How grains reach this object, which this singleton keeps alive: Orleans holds it only weakly.</summary>
    public IFrontConnections Reference => _reference ??= grains.CreateObjectReference<IFrontConnections>(this);

    public Task TakenOver(SessionTakenOver takeover)
    {
        // No outbox: the old connection closed already, which is the race a resume after a drop always runs.
        if (connections.Find(takeover.ConnectionId) is { } outbox)
        {
            LogClosing(takeover.Nickname, takeover.ConnectionId);
            outbox.Close(ChatErrors.SessionTakenOver);
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Nickname} resumed the session on another connection: closing connection {ConnectionId}")]
    private partial void LogClosing(string nickname, string connectionId);
}
