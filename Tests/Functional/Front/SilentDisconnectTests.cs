using OrleansChat.Tests.Support;

namespace OrleansChat.Tests.Functional.Front;

/// <summary>
/// On a front of its own: proving that nothing is announced needs a room where no other test's users come and go.
/// </summary>
public sealed class SilentDisconnectTests(ChatFrontFactory front) : IClassFixture<ChatFrontFactory>
{
    [Fact]
    public async Task The_disconnect_of_a_client_that_never_registered_is_silent()
    {
        await using var observer = await front.ConnectAsync();
        await observer.RegisterAsync("observer");
        Assert.Equal("observer entrou no chat.", await observer.NextNoticeAsync());
        var anonymous = await front.ConnectAsync();

        await anonymous.DisposeAsync();
        await observer.SendAsync("marker");

        var next = await observer.Events.FirstAsync(e => !IsOwnPresence(e));
        Assert.True(next.IsMessage("marker"), $"expected the marker, got {next}");
    }

    private static bool IsOwnPresence(ChatClient.Received e) =>
        e.Event == "presence" && e.Broadcast!.Value.GetProperty("nickname").GetString() == "observer";
}
