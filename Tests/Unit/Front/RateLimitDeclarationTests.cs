using System.Reflection;
using Microsoft.AspNetCore.SignalR;
using OrleansChat.WebFront.Hubs;

namespace OrleansChat.Tests.Unit.Front;

/// <summary>Every hub method chooses its rate limit; none falls into a bucket by default.</summary>
public sealed class RateLimitDeclarationTests
{
    private static IEnumerable<MethodInfo> HubMethods() =>
        typeof(ChatHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.DeclaringType == typeof(ChatHub)
                && m.Name is not (nameof(Hub.OnConnectedAsync) or nameof(Hub.OnDisconnectedAsync)));

    [Fact]
    public void Every_hub_method_names_its_bucket()
    {
        var methods = HubMethods().ToList();

        Assert.NotEmpty(methods);
        Assert.All(methods, m => Assert.NotNull(m.GetCustomAttribute<RateLimitedAttribute>()));
    }

    [Theory]
    [InlineData(nameof(ChatHub.Message), RateBucket.Messages)]
    [InlineData(nameof(ChatHub.SendToRoom), RateBucket.Messages)]
    [InlineData(nameof(ChatHub.SendToRoomOnce), RateBucket.Messages)]
    [InlineData(nameof(ChatHub.JoinRoom), RateBucket.Joins)]
    [InlineData(nameof(ChatHub.RejoinRoom), RateBucket.Joins)]
    [InlineData(nameof(ChatHub.LeaveRoom), RateBucket.Joins)]
    [InlineData(nameof(ChatHub.History), RateBucket.Other)]
    public void Posting_and_joining_draw_from_their_own_buckets(string method, RateBucket bucket) =>
        Assert.Equal(bucket, ChatRateLimitFilter.BucketOf(typeof(ChatHub).GetMethod(method)!));

    [Fact]
    public void A_method_without_a_declaration_is_refused_rather_than_let_through()
    {
        var undeclared = typeof(RateLimitDeclarationTests).GetMethod(nameof(A_method_without_a_declaration_is_refused_rather_than_let_through))!;

        Assert.Throws<InvalidOperationException>(() => ChatRateLimitFilter.BucketOf(undeclared));
    }
}
