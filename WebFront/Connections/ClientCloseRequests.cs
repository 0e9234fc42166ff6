using System.Collections.Concurrent;

namespace OrleansChat.WebFront.Connections;

/// <summary>
/// The connection tokens of long-polling and Server-Sent Events connections whose client asked to close them (the
/// client's <c>DELETE /hubs/chat?id=…</c>). Without such a request, the end of one of these connections is a drop:
/// a long poll that stops coming or an event stream whose TCP connection ends says nothing about the user leaving.
/// </summary>
/// <remarks>
/// One table per process: tokens are random and unguessable, so fronts hosted together (tests) cannot mix them up.
/// Entries are taken when the connection ends; those never taken (a DELETE for an unknown token) expire, and the
/// table is bounded so that a flood of DELETEs costs a bounded amount of memory (past the bound a client's own close
/// counts as a drop: it leaves after the grace period instead of at once).
/// </remarks>
internal static class ClientCloseRequests
{
    private const int MaxEntries = 10_000;
    private static readonly TimeSpan Expiry = TimeSpan.FromMinutes(1);
    private static readonly ConcurrentDictionary<string, long> Requested = new(StringComparer.Ordinal);

    public static void Add(string token)
    {
        var now = Environment.TickCount64;
        if (Requested.Count >= MaxEntries)
        {
            foreach (var (key, at) in Requested)
            {
                if (now - at > Expiry.TotalMilliseconds)
                {
                    Requested.TryRemove(key, out _);
                }
            }

            if (Requested.Count >= MaxEntries)
            {
                return;
            }
        }

        Requested[token] = now;
    }

    public static bool Take(string token) => Requested.TryRemove(token, out _);
}
