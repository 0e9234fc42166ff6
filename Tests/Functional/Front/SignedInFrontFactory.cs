using OrleansChat.Tests.Support;

namespace OrleansChat.Tests.Functional.Front;

/// <summary>The real front in Jwt mode, trusting a test issuer, with one administrator named in the settings.</summary>
public sealed class SignedInFrontFactory : ChatFrontFactory
{
    /// <summary>An administrator by the <c>Admins</c> setting rather than by role.</summary>
    public const string ListedAdmin = "Chefe";

    public SignedInFrontFactory()
    {
        Tokens.Configure(this).With("OrleansChat:Auth:Admins:0", ListedAdmin);
    }

    public TestTokens Tokens { get; } = new();

    /// <summary>A client signed in as <paramref name="nickname"/>, with the given roles.</summary>
    public Task<ChatClient> SignInAsync(string nickname, params string[] roles) =>
        ConnectAsync(accessToken: Tokens.For(nickname, roles));
}
