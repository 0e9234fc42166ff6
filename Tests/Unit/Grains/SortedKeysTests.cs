using OrleansChat.Grains.Rooms;

namespace OrleansChat.Tests.Unit.Grains;

/// <summary>The member index on its own, against a plain sorted list doing the same, across many chunk splits.</summary>
public sealed class SortedKeysTests
{
    [Fact]
    public void Random_adds_and_removes_page_exactly_like_a_sorted_list()
    {
        var random = new Random(11);
        var keys = new SortedKeys();
        var model = new SortedSet<string>(StringComparer.Ordinal);
        for (var step = 0; step < 20_000; step++)
        {
            var key = random.Next(5_000).ToString("x");
            if (random.Next(3) == 0)
            {
                Assert.Equal(model.Remove(key), keys.Remove(key));
            }
            else
            {
                Assert.Equal(model.Add(key), keys.Add(key));
            }
        }

        Assert.True(model.Count > 4 * SortedKeys.MaxChunk, "the keys must span several chunks");
        Assert.Equal(model.Count, keys.Count);
        Assert.Equal(model, PageThrough(keys, limit: 37));
        foreach (var cursor in new[] { "", "0", "7ff", "8", "fff", "zz" })
        {
            var expected = model.Where(k => string.CompareOrdinal(k, cursor) > 0).Take(50).ToList();
            var (page, hasMore) = keys.After(cursor, 50);
            Assert.Equal(expected, page);
            Assert.Equal(model.Count(k => string.CompareOrdinal(k, cursor) > 0) > 50, hasMore);
        }
    }

    [Fact]
    public void Removing_every_key_leaves_it_empty_and_usable()
    {
        var keys = new SortedKeys();
        var all = Enumerable.Range(0, 3 * SortedKeys.MaxChunk).Select(i => $"k{i:D5}").ToList();
        all.ForEach(k => keys.Add(k));

        all.ForEach(k => Assert.True(keys.Remove(k)));

        var (page, hasMore) = keys.After(null, 10);
        Assert.Equal(0, keys.Count);
        Assert.Empty(page);
        Assert.False(hasMore);
        Assert.False(keys.Remove("k00000"));
        Assert.True(keys.Add("again"));
        Assert.Equal(["again"], keys.After("", 10).Keys);
    }

    [Fact]
    public void The_order_is_ordinal()
    {
        var keys = new SortedKeys();
        foreach (var key in new[] { "b", "B", "á", "a", "A", "_" })
        {
            keys.Add(key);
        }

        Assert.Equal(["A", "B", "_", "a", "b", "á"], keys.After(null, 10).Keys);
    }

    private static List<string> PageThrough(SortedKeys keys, int limit)
    {
        var all = new List<string>();
        string? cursor = null;
        bool hasMore;
        do
        {
            (var page, hasMore) = keys.After(cursor, limit);
            all.AddRange(page);
            cursor = page.Count > 0 ? page[^1] : cursor;
        }
        while (hasMore);

        return all;
    }
}
