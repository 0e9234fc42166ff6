using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OrleansChat.Tests.Support;

/// <summary>
/// A stand-in identity provider: a symmetric signing key made at run time (none is ever committed) and the
/// tokens it signs, with the claims a real issuer would put in them.
/// </summary>
public sealed class TestTokens
{
    public const string Issuer = "https://issuer.test";
    public const string Audience = "orleanschat";
    public const string AdminRole = "chat-admin";

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    /// <summary>Puts a front in Jwt mode, trusting this issuer.</summary>
    public ChatFrontFactory Configure(ChatFrontFactory front) => front
        .With("OrleansChat:Auth:Mode", "Jwt")
        .With("OrleansChat:Auth:Issuer", Issuer)
        .With("OrleansChat:Auth:Audience", Audience)
        .With("OrleansChat:Auth:SigningKey", Convert.ToBase64String(_key));

    /// <summary>A valid token for a user, with the given roles.</summary>
    public string For(string nickname, params string[] roles) => Sign(_key, nickname, roles);

    /// <summary>A valid token for a user that expires after <paramref name="lifetime"/> (to the second, as JWTs do).</summary>
    public string ExpiringIn(string nickname, TimeSpan lifetime) => Sign(_key, nickname, [], expires: DateTime.UtcNow + lifetime);

    /// <summary>A token signed with the trusted key for another issuer or audience: one meant for another service.</summary>
    public string Misaddressed(string nickname, string issuer, string audience) => Sign(_key, nickname, [], issuer, audience);

    /// <summary>A well-formed token signed with another key: what a forger could make.</summary>
    public static string Forged(string nickname) => Sign(RandomNumberGenerator.GetBytes(32), nickname, [AdminRole]);

    private static string Sign(
        byte[] key, string nickname, string[] roles, string issuer = Issuer, string audience = Audience, DateTime? expires = null) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Expires = expires ?? DateTime.UtcNow.AddHours(1),
            Claims = new Dictionary<string, object>
            {
                ["sub"] = Guid.NewGuid().ToString(),
                ["preferred_username"] = nickname,
                ["roles"] = roles,
            },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key), SecurityAlgorithms.HmacSha256),
        });
}
