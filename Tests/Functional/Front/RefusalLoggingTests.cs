using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using OrleansChat.Tests.Support;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.Tests.Functional.Front;

/// <summary>What an operator reads when the hub refuses a call as the protocol says: one quiet line, no alert.</summary>
public sealed class RefusalLoggingTests(ChatFrontFactory front) : IClassFixture<ChatFrontFactory>
{
    [Fact]
    public async Task A_taken_nickname_is_logged_as_one_information_line_and_no_error()
    {
        await using var owner = await front.ConnectAsync();
        await using var thief = await front.ConnectAsync();
        await owner.RegisterAsync("Refusal-Ana");

        // The refusal is logged before the hub sends its error, so it is in the log once the caller sees it.
        var error = await Assert.ThrowsAsync<HubException>(() => thief.RegisterAsync("refusal-ana"));

        Assert.EndsWith(ChatErrors.NicknameTaken, error.Message);
        Assert.True(front.Logs.Errors.IsEmpty, string.Join("\n", front.Logs.Errors));
        var line = Assert.Single(front.Logs.Entries, e => e.Contains(ChatErrors.NicknameTaken));
        Assert.StartsWith("Information ", line);
        Assert.DoesNotContain("\n", line);
        Assert.EndsWith(ChatErrors.NicknameTaken + " ", line); // no exception attached: no stack trace
    }

    [Fact]
    public async Task An_expired_session_and_invalid_input_are_not_errors_either()
    {
        await using var client = await front.ConnectAsync();

        await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync<object>("Resume", "not-a-token", Array.Empty<object>()));
        await Assert.ThrowsAsync<HubException>(() => client.RegisterAsync(""));

        Assert.True(front.Logs.Errors.IsEmpty, string.Join("\n", front.Logs.Errors));
        Assert.Contains(front.Logs.Entries, e => e.StartsWith("Information ") && e.Contains(ChatErrors.SessionExpired));
        Assert.Contains(front.Logs.Entries, e => e.StartsWith("Information ") && e.Contains(ChatErrors.InvalidNickname));
    }
}
