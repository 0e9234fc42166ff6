namespace OrleansChat.WebFront.Connections;

/// <summary>How a client ended its connection, as far as the front could tell.</summary>
public enum ClientGoodbye
{
    /// <summary>Nothing from the client: a reset, an orderly TCP end from a proxy, a transport that stopped coming.</summary>
    None,

    /// <summary>
    /// A WebSocket close frame sent first, without SignalR's close message: what a browser sends when a page is closed
    /// or reloaded. The user may be back in a moment.
    /// </summary>
    PageClosed,

    /// <summary>SignalR's close message: the client was told to stop. The user left.</summary>
    Stopped,
}
