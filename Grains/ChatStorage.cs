namespace OrleansChat.Grains;

/// <summary>The grain storage provider that holds chat state (room members, sequence counters, history).</summary>
public static class ChatStorage
{
    public const string Name = "chat";
}
