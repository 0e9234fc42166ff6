using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using OrleansChat.Tests.Support;
using OrleansChat.WebFront.Diagnostics;

namespace OrleansChat.Tests.Functional.Front;

/// <summary>A front that drops a connection after a small backlog, so a test reaches the bound quickly.</summary>
public sealed class SmallBacklogFrontFactory : ChatFrontFactory
{
    public SmallBacklogFrontFactory() => With("OrleansChat:Limits:SlowConsumerMaxPending", "16");
}

/// <summary>
/// A client that stops reading its socket must not grow the server's memory or slow anyone else down: it is dropped
/// once it is too far behind, and keeps its session, so it can come back.
/// </summary>
public sealed class SlowConsumerTests(SmallBacklogFrontFactory front) : IClassFixture<SmallBacklogFrontFactory>
{
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];

    [Fact]
    public async Task A_client_that_stops_reading_is_dropped_while_the_room_keeps_its_pace_and_it_can_resume()
    {
        using var dropped = new DropListener();
        await using var proxy = new TcpProxy(front.BaseAddress, receiveBuffer: 4096);
        var stuck = await front.ConnectAsync(proxy.Address);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        stuck.Connection.Closed += _ => Task.Run(closed.TrySetResult);
        var registered = await stuck.RegisterAsync($"stuck-{_tag}");
        await using var sender = await front.ConnectAsync();
        await using var reader = await front.ConnectAsync();
        await sender.RegisterAsync($"sender-{_tag}");
        await reader.RegisterAsync($"reader-{_tag}");
        var room = $"slow-{_tag}";
        await stuck.JoinRoomAsync(room);
        await sender.JoinRoomAsync(room);
        await reader.JoinRoomAsync(room);

        proxy.Pause();
        var text = new string('x', 1_900);
        var acked = new List<long>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!dropped.Seen.IsCompleted)
        {
            // Ten in flight: fast enough to fill the stuck client's buffers, paced by acknowledgements.
            var acks = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => sender.SendToRoomAsync(room, text)));
            acked.AddRange(acks.Select(a => a.GetProperty("seq").GetInt64()));
            deadline.Token.ThrowIfCancellationRequested();
        }

        var seen = new List<long>();
        while (seen.Count < acked.Count)
        {
            var e = await reader.Events.FirstAsync(e => e.Event == "broadcast_message" && e.Room == room);
            seen.Add(e.Broadcast!.Value.GetProperty("seq").GetInt64());
        }

        Assert.Equal(acked.Order(), seen);
        proxy.Resume();
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await stuck.DisposeAsync();
        await using var back = await front.ConnectAsync();
        var resumed = await back.Connection.InvokeAsync<JsonElement>(
            "Resume", registered.GetProperty("resumeToken").GetString(), Array.Empty<object>());
        Assert.Equal($"stuck-{_tag}", resumed.GetProperty("nickname").GetString());
        Assert.Empty(front.Logs.Errors);
    }

    /// <summary>Completes when the front reports a dropped slow consumer.</summary>
    private sealed class DropListener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly TaskCompletionSource _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public DropListener()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ChatMetrics.MeterName && instrument.Name == "orleanschat.slow_consumers.dropped")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, _, _, _) => _seen.TrySetResult());
            _listener.Start();
        }

        public Task Seen => _seen.Task;

        public void Dispose() => _listener.Dispose();
    }
}
