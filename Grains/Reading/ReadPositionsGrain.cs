using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using Orleans.Streams;
using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Interfaces.Reading;
using OrleansChat.Grains.Rooms;
using OrleansChat.Grains.Storage;

namespace OrleansChat.Grains.Reading;

/// <summary>
/// One user's read positions (<see cref="ReadPositions"/> decides), published as they move and stored behind them: a
/// move is in memory and on the user's stream at once, and marks that come within
/// <see cref="ChatRoomOptions.ReadPositionWriteDelay"/> of each other are stored by one write, at most one in flight
/// (the grain is not reentrant, so the write-behind timer's turn and the marks take turns). Deactivation stores what
/// is left; a silo that dies loses at most the delay's worth of marks, which only shows messages as unread again.
/// </summary>
public sealed partial class ReadPositionsGrain(
    [PersistentState("read", ChatStorage.History)] IPersistentState<ReadPositionsState> stored,
    IOptions<ChatRoomOptions> options,
    TimeProvider time,
    ILogger<ReadPositionsGrain> logger) : Grain, IReadPositionsGrain
{
    private readonly ChatRoomOptions _options = options.Value;
    private ReadPositions _positions = null!;
    private IAsyncStream<UserEvent> _stream = null!;
    private IGrainTimer? _writeBehind;
    private bool _unstored;

    private string User => this.GetPrimaryKeyString();

    /// <summary>
    /// Rooms whose positions are kept: a user's rooms (up to <see cref="ChatRoomOptions.MaxRoomsPerUser"/>) and as many
    /// left behind, which keep theirs for a return.
    /// </summary>
    private int Capacity => Math.Max(100, 2 * _options.MaxRoomsPerUser);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _positions = new ReadPositions(stored.State, Capacity);
        _stream = this.GetStreamProvider(ChatStreams.ProviderName).GetStream<UserEvent>(ChatStreams.ForUser(User));
        return Task.CompletedTask;
    }

    public async Task<ReadMarkResult> MarkRead(ReadMark mark)
    {
        if (!_positions.Advances(mark))
        {
            return new ReadMarkResult(false, _positions.Of(mark.Owner, mark.Room) ?? new ReadPosition(mark.Room, mark.Epoch, 0));
        }

        // Published before it is applied: if the stream refuses, nothing moved, and the caller's retry does it all.
        var now = time.GetUtcNow();
        await _stream.OnNextAsync(new ReadPositionMoved(User, now, mark.Room, mark.Epoch, mark.Seq));
        var position = _positions.Apply(mark, now);
        await StoreLaterAsync();
        return new ReadMarkResult(true, position);
    }

    public Task<ReadPositionList> GetPositions(ReadPositionsQuery query) =>
        Task.FromResult(new ReadPositionList(_positions.All(query.Owner)));

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_unstored)
        {
            await StoreAsync();
        }
    }

    private async Task StoreLaterAsync()
    {
        _unstored = true;
        if (_options.ReadPositionWriteDelay <= TimeSpan.Zero)
        {
            await StoreAsync();
            return;
        }

        ScheduleStore(_options.ReadPositionWriteDelay);
    }

    /// <summary>Writes the positions; a failed write is tried again after the delay, with the marks made since.</summary>
    private async Task StoreAsync()
    {
        _writeBehind?.Dispose();
        _writeBehind = null;
        try
        {
            _unstored = false;
            await stored.WriteStateAsync();
        }
        catch (InconsistentStateException ex)
        {
            // Another activation stored this user's positions (a silo was taken for dead while it still ran): take
            // theirs and put ours over them, so the furthest mark of either wins.
            LogConflict(ex, User);
            var ours = _positions.State;
            await stored.ReadStateAsync();
            _positions = new ReadPositions(stored.State, Capacity);
            foreach (var (room, read) in ours.Rooms)
            {
                var mark = new ReadMark(ours.Owner, room, read.Epoch, read.Seq);
                if (_positions.Advances(mark))
                {
                    _positions.Apply(mark, read.MarkedAt);
                }
            }

            RetryLater();
        }
        catch (Exception ex)
        {
            LogStoreFailed(ex, User);
            RetryLater();
        }
    }

    private void RetryLater()
    {
        _unstored = true;
        ScheduleStore(_options.ReadPositionWriteDelay > TimeSpan.Zero ? _options.ReadPositionWriteDelay : TimeSpan.FromSeconds(1));
    }

    /// <summary>One write pending at a time: marks made before it is due ride along with it.</summary>
    private void ScheduleStore(TimeSpan due) =>
        _writeBehind ??= this.RegisterGrainTimer(
            _ => StoreAsync(),
            new GrainTimerCreationOptions
            {
                DueTime = due,
                Period = Timeout.InfiniteTimeSpan,
                // Unstored marks keep the grain until they are written (a deactivation would write them too).
                KeepAlive = true,
            });

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storing the read positions of {User} failed; trying again")]
    private partial void LogStoreFailed(Exception exception, string user);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The read positions of {User} were stored by another activation; merged with them")]
    private partial void LogConflict(Exception exception, string user);
}
