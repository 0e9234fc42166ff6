using System.Diagnostics;
using OrleansChat.Grains.Interfaces.Rooms;

namespace OrleansChat.Bench;

/// <summary>
/// One member posting ~100-character messages to one room, editing and reacting to them, and counting what the room
/// holds.
/// </summary>
public sealed class BenchRoom(IGrainFactory grains, string name, TextWriter progress)
{
    private const string Nickname = "bench";
    private const int MessageLength = 100;

    /// <summary>
    /// Posts in flight while filling. The room runs one post at a time anyway; this only keeps its queue from ever
    /// running dry while a reply travels back.
    /// </summary>
    private const int FillConcurrency = 64;

    /// <summary>Bounds the posts a fill schedules at once, and is where it reports progress.</summary>
    private const long FillChunk = 50_000;

    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(15);

    private static readonly string Filler = string.Concat(Enumerable.Repeat(
        "the quick brown fox jumps over the lazy dog while the chat keeps every word it was ever told; ", 2));

    private readonly IChatRoomGrain _room = grains.GetGrain<IChatRoomGrain>(name);
    private readonly Guid _session = Guid.NewGuid();

    /// <summary>Messages with this member's reaction on, so that each timed reaction changes something.</summary>
    private readonly HashSet<long> _reacted = [];

    /// <summary>Messages this member has posted, which is every message in the room.</summary>
    public long Posted { get; private set; }

    /// <summary>Edits and reactions made, each an entry of the room's sequence as well.</summary>
    public long Amended { get; private set; }

    public async Task JoinAsync()
    {
        var join = await _room.Join(new JoinRequest(Nickname, _session, "bench"));
        if (join.Status is not JoinStatus.Joined)
        {
            throw new InvalidOperationException($"Joining {name} failed: {join.Status}.");
        }
    }

    /// <summary>Posts concurrently until the room holds <paramref name="size"/> messages.</summary>
    public async Task<Fill> FillAsync(long size, CancellationToken cancellationToken)
    {
        var count = Math.Max(0, size - Posted);
        progress.WriteLine($"filling {name} from {Posted:N0} to {Posted + count:N0} messages");
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        var target = Posted + count;
        while (Posted < target)
        {
            var chunk = Math.Min(target - Posted, FillChunk);
            await Parallel.ForAsync(
                0L,
                chunk,
                new ParallelOptions { MaxDegreeOfParallelism = FillConcurrency, CancellationToken = cancellationToken },
                async (_, _) => await PostAsync());
            Posted += chunk;
            if (clock.Elapsed - lastReport >= ProgressEvery)
            {
                lastReport = clock.Elapsed;
                progress.WriteLine($"  {Posted:N0} messages after {clock.Elapsed:hh\\:mm\\:ss}");
            }
        }

        return new Fill(count, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Times <paramref name="samples"/> posts, each awaited before the next is sent.</summary>
    public async Task<Latency> TimeAppendsAsync(int samples, CancellationToken cancellationToken)
    {
        var micros = new double[samples];
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < samples; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var started = Stopwatch.GetTimestamp();
            await PostAsync();
            micros[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
        }

        var elapsed = clock.Elapsed;
        Posted += samples;
        return Latency.Of(micros, elapsed);
    }

    /// <summary>
    /// Times <paramref name="samples"/> amendments, each awaited before the next: edits and reactions taking turns, each
    /// on a message drawn at random from the whole history, so most are in sealed pages far from the head. Every one
    /// changes the message (a new text; the reaction put on or taken off), so none is answered as a harmless repeat.
    /// </summary>
    public async Task<Latency> TimeAmendmentsAsync(int samples, Random random, CancellationToken cancellationToken)
    {
        var micros = new double[samples];
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < samples; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var seq = random.NextInt64(1, Posted + Amended + 1);
            var edit = i % 2 == 0;
            var on = !edit && _reacted.Add(seq);
            if (!edit && !on)
            {
                _reacted.Remove(seq);
            }

            var started = Stopwatch.GetTimestamp();
            var result = edit
                ? await _room.Edit(new EditRequest(seq, Nickname, _session, _session, $"{Guid.NewGuid():N} {Filler}"[..MessageLength]))
                : await _room.React(new ReactRequest(seq, Nickname, _session, "👍", on));
            micros[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
            switch (result.Status)
            {
                case AmendStatus.Done:
                    Amended++;
                    break;
                case AmendStatus.NotFound:
                    // The number is an earlier amendment's, not a message: try another.
                    _reacted.Remove(seq);
                    i--;
                    break;
                default:
                    throw new InvalidOperationException($"An amendment in {name} was refused: {result.Status}.");
            }
        }

        return Latency.Of(micros, clock.Elapsed);
    }

    /// <summary>Checks the room's own count against what was posted and amended, so a lost or doubled entry fails the run.</summary>
    public async Task<long> CountAsync()
    {
        var inRoom = (await _room.GetSnapshot()).LastSeq;
        return inRoom == Posted + Amended
            ? Posted
            : throw new InvalidOperationException($"Room {name} holds {inRoom} entries; {Posted} were posted and {Amended} amended.");
    }

    private async Task PostAsync()
    {
        var id = Guid.NewGuid();
        var result = await _room.Post(new PostRequest(id, Nickname, _session, $"{id:N} {Filler}"[..MessageLength], Owner: _session));
        if (result.Status is not PostStatus.Posted)
        {
            throw new InvalidOperationException($"A post to {name} was refused: {result.Status}.");
        }
    }
}
