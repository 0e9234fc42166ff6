using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;

namespace OrleansChat.Tests.Unit.Front;

/// <summary>A hub connection with nothing behind it, for the front's parts that only need one to name.</summary>
internal sealed class TestCaller : HubCallerContext
{
    public override string ConnectionId => "conn-1";

    public override string? UserIdentifier => null;

    public override ClaimsPrincipal? User => null;

    public override IDictionary<object, object?> Items { get; } = new Dictionary<object, object?>();

    public override IFeatureCollection Features { get; } = new FeatureCollection();

    public override CancellationToken ConnectionAborted => CancellationToken.None;

    public override void Abort()
    {
    }
}
