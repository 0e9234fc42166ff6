namespace OrleansChat.WebFront.Protocol;

/// <summary>The original's notices, word for word: Portuguese on the wire, whatever language a page shows.</summary>
public static class ChatNotices
{
    public static string Joined(string nickname) => $"{nickname} entrou no chat.";

    public static string Left(string nickname) => $"{nickname} saiu do chat.";
}
