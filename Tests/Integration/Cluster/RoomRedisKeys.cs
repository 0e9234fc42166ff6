using StackExchange.Redis;

namespace OrleansChat.Tests.Integration.Cluster;

/// <summary>Where a room's state is in Redis, found as an operator would: by scanning for the room's name.</summary>
internal static class RoomRedisKeys
{
    /// <summary>The room's history state: the one key naming both the room's grain and its "log" state.</summary>
    public static async Task<RedisKey> LogAsync(ConnectionMultiplexer redis, string room)
    {
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var keys = new List<RedisKey>();
        await foreach (var key in server.KeysAsync(pattern: $"*{room}*"))
        {
            keys.Add(key);
        }

        var logs = keys.Where(k => k.ToString().Contains("log", StringComparison.OrdinalIgnoreCase)
            && k.ToString().Contains("chatroom", StringComparison.OrdinalIgnoreCase)).ToList();
        return logs.Count == 1 ? logs[0] : throw new InvalidOperationException($"no single log key among: {string.Join(", ", keys)}");
    }
}
