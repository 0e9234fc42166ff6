using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace OrleansChat.WebFront.Security;

/// <summary>
/// Resume tokens: "&lt;nickname key&gt;.&lt;secret&gt;", both base64url. The key says which nickname grain to ask;
/// the grain keeps only the secret's SHA-256, so a leaked store cannot be replayed.
/// </summary>
public static class ResumeTokens
{
    private const int SecretBytes = 32;

    public static (string Token, byte[] Hash) Create(string nicknameKey)
    {
        var secret = RandomNumberGenerator.GetBytes(SecretBytes);
        var token = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(nicknameKey)) + "." + Base64Url.EncodeToString(secret);
        return (token, SHA256.HashData(secret));
    }

    public static bool TryParse(string? token, out string nicknameKey, out byte[] hash)
    {
        nicknameKey = string.Empty;
        hash = [];
        var dot = token?.IndexOf('.') ?? -1;
        if (token is null || token.Length > 512 || dot <= 0)
        {
            return false;
        }

        try
        {
            nicknameKey = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.AsSpan(0, dot)));
            var secret = Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
            hash = SHA256.HashData(secret);
            return secret.Length == SecretBytes && nicknameKey.Length > 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
