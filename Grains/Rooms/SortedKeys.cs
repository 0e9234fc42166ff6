namespace OrleansChat.Grains.Rooms;

/// <summary>
/// Distinct strings in ordinal order, for paging a room's members by nickname key. A <see cref="SortedSet{T}"/>
/// would not do: a view from <see cref="SortedSet{T}.GetViewBetween"/> counts every element in its range when it is
/// made, so the first page of a big room would cost O(N). The keys are kept in sorted chunks instead (a B-tree two
/// levels deep): a lookup is two binary searches, an insert or a removal moves at most one chunk's references (plus
/// the chunk list on a split), and a page is one seek followed by a walk.
/// </summary>
internal sealed class SortedKeys
{
    /// <summary>A chunk splits in two when it grows to this many keys.</summary>
    internal const int MaxChunk = 256;

    private readonly List<List<string>> _chunks = [];

    public int Count { get; private set; }

    /// <returns>False if the key was already there.</returns>
    public bool Add(string key)
    {
        if (_chunks.Count == 0)
        {
            _chunks.Add([key]);
            Count = 1;
            return true;
        }

        var c = ChunkFor(key);
        var chunk = _chunks[c];
        var i = chunk.BinarySearch(key, StringComparer.Ordinal);
        if (i >= 0)
        {
            return false;
        }

        chunk.Insert(~i, key);
        Count++;
        if (chunk.Count >= MaxChunk)
        {
            var half = chunk.Count / 2;
            _chunks.Insert(c + 1, chunk.GetRange(half, chunk.Count - half));
            chunk.RemoveRange(half, chunk.Count - half);
        }

        return true;
    }

    /// <returns>False if the key was not there.</returns>
    public bool Remove(string key)
    {
        if (_chunks.Count == 0)
        {
            return false;
        }

        var c = ChunkFor(key);
        var chunk = _chunks[c];
        var i = chunk.BinarySearch(key, StringComparer.Ordinal);
        if (i < 0)
        {
            return false;
        }

        chunk.RemoveAt(i);
        Count--;
        if (chunk.Count == 0)
        {
            _chunks.RemoveAt(c);
        }

        return true;
    }

    /// <summary>
    /// At most <paramref name="limit"/> keys that come ordinal-after <paramref name="after"/> (from the first when it
    /// is null), and whether more follow them. The cursor need not be a key that is present.
    /// </summary>
    public (List<string> Keys, bool HasMore) After(string? after, int limit)
    {
        limit = Math.Max(limit, 0);
        var keys = new List<string>(Math.Min(limit, Count));
        var (c, i) = after is null ? (0, 0) : Seek(after);
        for (; c < _chunks.Count; c++, i = 0)
        {
            var chunk = _chunks[c];
            for (; i < chunk.Count; i++)
            {
                if (keys.Count == limit)
                {
                    return (keys, true);
                }

                keys.Add(chunk[i]);
            }
        }

        return (keys, false);
    }

    /// <summary>Where the first key ordinal-after <paramref name="after"/> is, or the end.</summary>
    private (int Chunk, int Index) Seek(string after)
    {
        if (_chunks.Count == 0)
        {
            return (0, 0);
        }

        var c = ChunkFor(after);
        var i = _chunks[c].BinarySearch(after, StringComparer.Ordinal);
        return (c, i >= 0 ? i + 1 : ~i);
    }

    /// <summary>The chunk a key belongs in: the first whose last key is not before it, else the last chunk.</summary>
    private int ChunkFor(string key)
    {
        int low = 0, high = _chunks.Count - 1;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (string.CompareOrdinal(_chunks[middle][^1], key) < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
