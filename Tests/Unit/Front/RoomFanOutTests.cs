using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansChat.WebFront.Connections;

namespace OrleansChat.Tests.Unit.Front;

/// <summary>What a connection reads after the relay writes a room's events out together: each event, in order.</summary>
public sealed class RoomFanOutTests
{
    private static readonly JsonHubProtocol Json = new();

    [Fact]
    public async Task Events_written_out_together_reach_each_connection_as_separate_messages_in_order()
    {
        var fanOut = new RoomFanOut();
        var ana = Connection("ana");
        var bia = Connection("bia");
        fanOut.Members["ana"] = ana.Outbox;
        fanOut.Members["bia"] = bia.Outbox;

        fanOut.Add("presence", new { nickname = "caio", kind = "joined" });
        fanOut.Add("broadcast_message", new { msg = "oi", seq = 7 });
        fanOut.Add("message", "caio entrou no chat.");
        Assert.Empty(fanOut.WriteOut(maxPending: 100));
        Assert.True(fanOut.IsEmpty);

        foreach (var connection in new[] { ana, bia })
        {
            var messages = await connection.ReadAsync(3);
            Assert.Equal(["presence", "broadcast_message", "message"], messages.Select(m => m.Target));
            Assert.Equal("caio entrou no chat.", messages[2].Arguments[0]?.ToString());
        }
    }

    [Fact]
    public async Task A_single_event_is_written_as_it_is_and_nothing_is_written_twice()
    {
        var fanOut = new RoomFanOut();
        var ana = Connection("ana");
        fanOut.Members["ana"] = ana.Outbox;

        fanOut.Add("typing", new { nickname = "bia" });
        fanOut.WriteOut(maxPending: 100);
        fanOut.WriteOut(maxPending: 100);
        fanOut.Add("typing", new { nickname = "caio" });
        fanOut.WriteOut(maxPending: 100);

        var messages = await ana.ReadAsync(2);
        Assert.All(messages, m => Assert.Equal("typing", m.Target));
        Assert.Equal(0, ana.Outbox.Pending);
    }

    private static TestConnection Connection(string id)
    {
        var toClient = new Pipe();
        var fromClient = new Pipe();
        var context = new DefaultConnectionContext(id, new DuplexPipe(fromClient.Reader, toClient.Writer), new DuplexPipe(toClient.Reader, fromClient.Writer));
        var hubConnection = new HubConnectionContext(context, new HubConnectionContextOptions(), NullLoggerFactory.Instance)
        {
            Protocol = Json,
        };
        return new TestConnection(new ConnectionOutbox(hubConnection, TimeProvider.System), toClient.Reader);
    }

    private sealed record DuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;

    private sealed record TestConnection(ConnectionOutbox Outbox, PipeReader ClientSide)
    {
        public async Task<List<InvocationMessage>> ReadAsync(int count)
        {
            var messages = new List<InvocationMessage>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (messages.Count < count)
            {
                var result = await ClientSide.ReadAsync(timeout.Token);
                var buffer = result.Buffer;
                while (Json.TryParseMessage(ref buffer, new Binder(), out var message))
                {
                    messages.Add(Assert.IsType<InvocationMessage>(message));
                }

                ClientSide.AdvanceTo(buffer.Start, buffer.End);
            }

            Assert.False(ClientSide.TryRead(out var extra) && !extra.Buffer.IsEmpty, "More was written than was added.");
            return messages;
        }
    }

    private sealed class Binder : IInvocationBinder
    {
        public IReadOnlyList<Type> GetParameterTypes(string methodName) => [typeof(object)];

        public Type GetReturnType(string invocationId) => typeof(object);

        public Type GetStreamItemType(string streamId) => typeof(object);
    }
}
