using System.Threading.Channels;

namespace OrleansChat.Tests.Support;

/// <summary>
/// Collects items pushed from another thread (stream events, hub events) and lets a test wait for them with a
/// timeout instead of sleeping and hoping.
/// </summary>
public sealed class Inbox<T>
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly Channel<T> _channel = Channel.CreateUnbounded<T>();

    public void Add(T item) => _channel.Writer.TryWrite(item);

    /// <summary>An item that has already arrived, without waiting.</summary>
    public bool TryTake(out T item) => _channel.Reader.TryRead(out item!);

    /// <summary>The next item, in arrival order.</summary>
    public async Task<T> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            return await _channel.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No {typeof(T).Name} arrived within {timeout ?? DefaultTimeout}.");
        }
    }

    /// <summary>Skips items until one matches; returns it.</summary>
    public async Task<T> FirstAsync(Func<T, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"No matching {typeof(T).Name} arrived in time.");
            }

            var item = await NextAsync(left);
            if (match(item))
            {
                return item;
            }
        }
    }

    /// <summary>The next <paramref name="count"/> items, in arrival order.</summary>
    public async Task<List<T>> TakeAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        var items = new List<T>(count);
        while (items.Count < count)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"Only {items.Count} of {count} {typeof(T).Name} arrived in time.");
            }

            items.Add(await NextAsync(left));
        }

        return items;
    }
}
