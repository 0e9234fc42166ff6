using System.ComponentModel.DataAnnotations;

namespace OrleansChat.WebFront.Security;

/// <summary>
/// Sign-in and moderation. Bound from <c>OrleansChat:Auth</c>. Anonymous by default; with <see cref="AuthMode.Jwt"/>
/// the hub accepts only connections that carry a valid bearer token, binds each one's nickname to a claim of that
/// token and lets administrators kick and ban.
/// </summary>
public sealed class ChatAuthOptions : IValidatableObject
{
    public const string SectionName = "OrleansChat:Auth";

    /// <summary>The shortest symmetric key accepted: HS256 needs 256 bits.</summary>
    private const int MinSigningKeyBytes = 32;

    public AuthMode Mode { get; set; } = AuthMode.Anonymous;

    /// <summary>
    /// The OpenID Connect issuer (e.g. <c>https://login.example.com/realms/chat</c>): its discovery document gives
    /// the issuer and the signing keys, which rotate without a restart. Use this or <see cref="SigningKey"/>.
    /// </summary>
    public string? Authority { get; set; }

    /// <summary>Fetch the authority's metadata over HTTPS only. Turn off only for a local test identity provider.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>The <c>aud</c> tokens must carry. Required in Jwt mode.</summary>
    public string? Audience { get; set; }

    /// <summary>The <c>iss</c> tokens must carry when they are checked with <see cref="SigningKey"/>.</summary>
    public string? Issuer { get; set; }

    /// <summary>
    /// A base64 symmetric key (HS256, at least 32 bytes) for tokens issued by a service that shares it with the
    /// chat. A secret: supply it through the environment or a secret store, never in a committed file.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>
    /// The claim whose value is the user's nickname. <c>preferred_username</c> is the account's user name in
    /// OpenID Connect: unique per account and meant for display, unlike <c>sub</c> (an opaque id) or <c>name</c>
    /// (a full name that two people can share).
    /// </summary>
    [Required]
    public string NicknameClaim { get; set; } = "preferred_username";

    /// <summary>The claim that lists the user's roles (<c>roles</c> in Entra ID and most issuers).</summary>
    [Required]
    public string RoleClaim { get; set; } = "roles";

    /// <summary>Holders of this role are chat administrators.</summary>
    public string? AdminRole { get; set; } = "chat-admin";

    /// <summary>
    /// How far the issuer's clock may be from this front's when a token's lifetime is checked: a token is still
    /// accepted this long after it expires. The library's default, 5 minutes, would let an expired token open
    /// connections for 5 more minutes; 30 s covers clocks kept by NTP.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Nicknames that are administrators whatever their roles, for issuers that cannot add a role.</summary>
    public string[] Admins { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Mode != AuthMode.Jwt)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(Audience))
        {
            yield return new ValidationResult("is required in Jwt mode: tokens meant for other services must be refused.", [nameof(Audience)]);
        }

        if (string.IsNullOrWhiteSpace(Authority) == string.IsNullOrWhiteSpace(SigningKey))
        {
            yield return new ValidationResult(
                "set exactly one of Authority (an OpenID Connect issuer) and SigningKey (a shared HS256 key) in Jwt mode.",
                [nameof(Authority), nameof(SigningKey)]);
        }

        if (!string.IsNullOrWhiteSpace(Authority)
            && (!Uri.TryCreate(Authority, UriKind.Absolute, out var authority)
                || (RequireHttpsMetadata && authority.Scheme != Uri.UriSchemeHttps)))
        {
            yield return new ValidationResult(
                "must be an absolute https URL (or set RequireHttpsMetadata=false for a local test issuer).", [nameof(Authority)]);
        }

        if (!string.IsNullOrWhiteSpace(SigningKey))
        {
            if (SigningKeyBytes() is not { Length: >= MinSigningKeyBytes })
            {
                yield return new ValidationResult($"must be base64 of at least {MinSigningKeyBytes} bytes.", [nameof(SigningKey)]);
            }

            if (string.IsNullOrWhiteSpace(Issuer))
            {
                yield return new ValidationResult("is required with SigningKey: tokens from other issuers must be refused.", [nameof(Issuer)]);
            }
        }
    }

    /// <summary>The decoded <see cref="SigningKey"/>, or null when it is not valid base64.</summary>
    public byte[]? SigningKeyBytes()
    {
        var buffer = new byte[(SigningKey?.Length ?? 0) * 3 / 4 + 3];
        return Convert.TryFromBase64String(SigningKey ?? string.Empty, buffer, out var written) ? buffer[..written] : null;
    }
}
