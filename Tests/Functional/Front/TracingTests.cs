using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using OrleansChat.Grains.Rooms;
using OrleansChat.Hosting;
using OrleansChat.Tests.Support;
using OrleansChat.WebFront.Diagnostics;
using static OrleansChat.Tests.Functional.Front.OtlpTraceReceiver;

namespace OrleansChat.Tests.Functional.Front;

/// <summary>
/// Traces go to whatever collector the standard variables name, over OTLP/HTTP here: one posted message is one
/// trace, from the hub on the front through the room's grain call and storage write to the fan-out on the front.
/// </summary>
public sealed class TracingTests
{
    private static readonly TimeSpan ExportTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_posted_message_is_one_trace_from_the_hub_through_the_room_to_the_fan_out()
    {
        await using var collector = new OtlpTraceReceiver();
        await using var front = new ChatFrontFactory()
            .With(ChatTracing.EndpointVariable, collector.Endpoint.ToString())
            .With("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
            .With("OTEL_BSP_SCHEDULE_DELAY", "100")
            .With(ChatTracing.ServiceNameVariable, "trace-test-front");
        await using var ana = await front.ConnectAsync();
        await ana.RegisterAsync("tracer");

        await ana.SendAsync("follow me");
        await ana.NextBroadcastAsync();

        var trace = await collector.WaitForAsync(spans => spans
            .Where(s => s.Name == ChatActivities.SendName)
            .Select(send => spans.Where(s => s.TraceId == send.TraceId).ToList())
            .FirstOrDefault(t => t.Any(s => s.Name == ChatActivities.FanOutName) && t.Any(s => s.Name == RoomActivities.StoreName)),
            ExportTimeout);

        var send = Assert.Single(trace, s => s.Name == ChatActivities.SendName);
        Assert.Equal(ChatActivities.SourceName, send.Scope);
        Assert.Equal("trace-test-front", send.Service);
        // The grain call, seen from the grain's side: the silo's span for IChatRoomGrain.Post, under the hub's call.
        var post = Assert.Single(trace, s => s.Kind == OtlpTraceReceiver.SpanKind.Server && s.Name.Contains("IChatRoomGrain/Post", StringComparison.Ordinal));
        Assert.StartsWith("Microsoft.Orleans.", post.Scope);
        Assert.True(IsBelow(trace, post, send), "the grain's span is not under the hub call");
        var store = Assert.Single(trace, s => s.Name == RoomActivities.StoreName);
        Assert.Equal(RoomActivities.SourceName, store.Scope);
        Assert.Equal(post.SpanId, store.ParentSpanId);
        var fanOut = Assert.Single(trace, s => s.Name == ChatActivities.FanOutName);
        Assert.Equal(ChatActivities.SourceName, fanOut.Scope);
        Assert.Equal(post.SpanId, fanOut.ParentSpanId);
    }

    [Fact]
    public async Task Without_a_collector_no_tracer_provider_is_registered()
    {
        await using var front = new ChatFrontFactory();
        await using var ana = await front.ConnectAsync();
        await ana.RegisterAsync("untraced");

        Assert.Null(front.Services.GetService<TracerProvider>());
    }

    private static bool IsBelow(IReadOnlyList<ReceivedSpan> trace, ReceivedSpan span, ReceivedSpan ancestor)
    {
        for (var current = span; current.ParentSpanId.Length > 0;)
        {
            if (current.ParentSpanId == ancestor.SpanId)
            {
                return true;
            }

            if (trace.FirstOrDefault(s => s.SpanId == current.ParentSpanId) is not { } parent)
            {
                return false;
            }

            current = parent;
        }

        return false;
    }
}
