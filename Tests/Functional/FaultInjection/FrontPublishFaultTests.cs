using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Tests.Support;

namespace OrleansChat.Tests.Functional.FaultInjection;

/// <summary>
/// End to end through the hub: a message is stored but its publish fails. The sender's front retries the post with
/// its message id, so the sender is acknowledged once; the other user's front reads the message from history, when a
/// later message reveals the gap or, with nothing after it, when its catch-up finds it overdue.
/// </summary>
public sealed class FrontPublishFaultTests : IAsyncLifetime
{
    private readonly PublishFaultFrontFactory _front = new();
    private ChatClient _ana = null!;
    private ChatClient _bia = null!;

    public async Task InitializeAsync()
    {
        _front.With("OrleansChat:Front:CatchUpInterval", "00:00:01");
        _ana = await _front.ConnectAsync();
        _bia = await _front.ConnectAsync();
        await _ana.RegisterAsync("ana");
        await _bia.RegisterAsync("bia");
    }

    public async Task DisposeAsync()
    {
        await _ana.DisposeAsync();
        await _bia.DisposeAsync();
        await _front.DisposeAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_message_whose_publish_fails_is_acknowledged_once_and_delivered_once_in_order(bool messageFollows)
    {
        var before = await _ana.SendAsync("before");
        await _bia.Events.FirstAsync(e => e.IsMessage("before"));
        FailNextPublish();

        var sent = new List<JsonElement> { await _ana.SendAsync("stored, not streamed") };
        var biaReceived = new List<JsonElement>();
        if (messageFollows)
        {
            sent.Add(await _ana.SendAsync("after"));
        }
        else
        {
            // Nothing reveals the gap: only the front's catch-up from history can deliver it.
            await ReceiveUntilAsync(_bia, "stored, not streamed", biaReceived);
        }

        // A last message marks the end, so anything delivered twice would have arrived before it.
        sent.Add(await _ana.SendAsync("end"));
        await ReceiveUntilAsync(_bia, "end", biaReceived);
        var anaReceived = new List<JsonElement>();
        await ReceiveUntilAsync(_ana, "end", anaReceived);

        // Orleans logs the refused enqueue itself: that line is the operator's; any other error is a failure.
        var errors = _front.Logs.Errors.Where(e => !e.Contains(nameof(StreamPublishFailure))).ToList();
        Assert.True(_front.Publish.Failed > 0, "The publish fault was never hit.");
        Assert.Equal(Enumerable.Range(1, sent.Count).Select(i => Seq(before) + i), sent.Select(Seq));
        Assert.Equal(sent.Select(Id), biaReceived.Select(Id));
        Assert.Equal(sent.Select(Id), anaReceived.Where(m => Seq(m) > Seq(before)).Select(Id));
        var history = await _bia.Connection.InvokeAsync<JsonElement>("History", "geral", null, 100);
        Assert.Equal(sent.Select(Id), history.GetProperty("messages").EnumerateArray()
            .Where(m => Seq(m) > Seq(before)).Select(Id));
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }

    /// <summary>Fails the next publish on <c>geral</c> only: presence and later messages go through.</summary>
    private void FailNextPublish()
    {
        var geral = ChatStreams.ForRoom("geral");
        var taken = 0;
        _front.Publish.Fail = id => id == geral && Interlocked.Exchange(ref taken, 1) == 0;
    }

    private static async Task ReceiveUntilAsync(ChatClient user, string text, List<JsonElement> received)
    {
        JsonElement message;
        do
        {
            message = await user.NextBroadcastAsync();
            received.Add(message);
        }
        while (message.GetProperty("msg").GetString() != text);
    }

    private static long Seq(JsonElement message) => message.GetProperty("seq").GetInt64();

    private static Guid Id(JsonElement message) => message.GetProperty("id").GetGuid();
}
