using OrleansChat.WebFront.Connections;

namespace OrleansChat.Tests.Unit.Front;

/// <summary>A user's connections on one front, found by nickname in any case, each removed on its own.</summary>
public sealed class ConnectedUsersTests
{
    [Fact]
    public void Every_connection_of_a_user_is_found_by_nickname_and_each_goes_on_its_own()
    {
        var users = new ConnectedUsers();
        var laptop = Session("Ana", "c1");
        var phone = Session("Ana", "c2");
        var bia = Session("bia", "c3");

        users.Add(laptop);
        users.Add(phone);
        users.Add(phone);
        users.Add(bia);

        Assert.Equal(new[] { laptop, phone }, users.Find("ANA").AsEnumerable());
        Assert.True(users.Remove(laptop));
        Assert.False(users.Remove(laptop));
        Assert.Equal(new[] { phone }, users.Find("ana").AsEnumerable());
        Assert.True(users.Remove(phone));
        Assert.Empty(users.Find("ana"));
        Assert.Equal(new[] { bia }, users.FindByKey("BIA").AsEnumerable());
    }

    [Fact]
    public async Task Connections_that_come_and_go_at_once_are_neither_lost_nor_kept()
    {
        var users = new ConnectedUsers();
        var staying = Enumerable.Range(0, 50).Select(i => Session("ana", $"stay{i}")).ToList();
        var leaving = Enumerable.Range(0, 50).Select(i => Session("ana", $"go{i}")).ToList();

        await Task.WhenAll(staying.Concat(leaving).Select(s => Task.Run(() => users.Add(s))));
        await Task.WhenAll(leaving.Select(s => Task.Run(() => Assert.True(users.Remove(s)))));

        Assert.Equal(staying.Select(s => s.ConnectionId).Order(), users.Find("ana").Select(s => s.ConnectionId).Order());
    }

    private static ConnectionSession Session(string nickname, string connectionId) =>
        new(nickname, nickname.ToUpperInvariant(), Guid.NewGuid(), "token", connectionId);
}
