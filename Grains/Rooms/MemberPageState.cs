namespace OrleansChat.Grains.Rooms;

/// <summary>How many member pages a room has opened: written only when it opens another.</summary>
[GenerateSerializer, Alias("OrleansChat.MemberRootState")]
public sealed class MemberRootState
{
    [Id(0)]
    public int Pages { get; set; }
}

/// <summary>
/// A fixed run of member slots, a null one free. A member keeps its slot while in the room, so a join, a leave or a
/// change of front rewrites this page alone.
/// </summary>
[GenerateSerializer, Alias("OrleansChat.MemberPageState")]
public sealed class MemberPageState
{
    [Id(0)]
    public RoomMember?[] Slots { get; set; } = [];
}
