using Microsoft.Extensions.Options;
using OrleansChat.WebFront.Connections;
using OrleansChat.WebFront.Settings;

namespace OrleansChat.WebFront.Hubs;

/// <summary>Lets a connection announce typing in a room at most once per <c>TypingInterval</c>; the rest are dropped.</summary>
public sealed class TypingThrottle(IOptions<ChatFrontOptions> options, TimeProvider time)
{
    /// <summary>True if the announcement goes out (and starts a new interval).</summary>
    public bool Admit(ConnectionSession session, string room)
    {
        var now = time.GetTimestamp();
        if (session.LastTyping.TryGetValue(room, out var last)
            && time.GetElapsedTime(last, now) < options.Value.TypingInterval)
        {
            return false;
        }

        session.LastTyping[room] = now;
        return true;
    }
}
