using StackExchange.Redis;

namespace OrleansChat.Hosting.Internal;

/// <summary>
/// The one Redis connection of a process, handed to Orleans' Redis clustering and every Redis grain storage through
/// their <c>CreateMultiplexer</c> hooks. A StackExchange.Redis multiplexer pipelines any number of callers over one
/// socket, so a multiplexer per provider only multiplied sockets, reconnects after a Redis restart and server-side
/// client slots. Providers are told it is shared, so none disposes it; the container does, after the silo stopped.
/// </summary>
internal sealed class SharedRedisConnection(ConfigurationOptions configuration) : IAsyncDisposable
{
    private readonly Lazy<Task<ConnectionMultiplexer>> _connection = new(() => ConnectionMultiplexer.ConnectAsync(configuration));

    public async Task<(IConnectionMultiplexer Multiplexer, bool IsShared)> ConnectAsync() => (await _connection.Value, true);

    public async ValueTask DisposeAsync()
    {
        if (_connection.IsValueCreated)
        {
            await (await _connection.Value).DisposeAsync();
        }
    }
}
