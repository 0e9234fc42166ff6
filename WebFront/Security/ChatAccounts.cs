using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OrleansChat.Grains.Interfaces.Reading;
using OrleansChat.Grains.Interfaces.Rules;

namespace OrleansChat.WebFront.Security;

/// <summary>
/// What a connection's sign-in means to the chat: whether one is required, the nickname it binds the user to, and
/// whether the user is an administrator. Anonymous mode has no accounts, so no administrators: moderation needs a
/// sign-in, or anyone could claim an administrator's nickname.
/// </summary>
public sealed class ChatAccounts
{
    private readonly ChatAuthOptions _options;
    private readonly TimeProvider _time;
    private readonly HashSet<string> _adminKeys;

    public ChatAccounts(IOptions<ChatAuthOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        _adminKeys = _options.Admins
            .Select(name => ChatRules.TryNormalizeNickname(name, out var nickname) ? ChatRules.KeyOf(nickname) : null)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
    }

    public bool SignInRequired => _options.Mode == AuthMode.Jwt;

    /// <summary>The nickname the user's token names, normalised; null without a sign-in or a valid claim.</summary>
    public string? NicknameOf(ClaimsPrincipal? user) =>
        SignInRequired
        && user?.Identity?.IsAuthenticated == true
        && ChatRules.TryNormalizeNickname(user.FindFirst(_options.NicknameClaim)?.Value, out var nickname)
            ? nickname
            : null;

    /// <summary>
    /// Whether the token a connection opened with has expired. SignalR then closes the connection itself, and the
    /// client's orderly answer to that close is not the user leaving.
    /// </summary>
    public bool SignInExpired(HttpContext? http) =>
        SignInRequired
        && http?.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult?.Properties?.ExpiresUtc <= _time.GetUtcNow();

    /// <summary>
    /// Who a session's read positions and messages belong to: the account when sign-in is required (the same on every
    /// device and in every session), the session itself otherwise (a new session under a freed nickname is someone else).
    /// </summary>
    public Guid OwnerOf(Guid sessionId) => SignInRequired ? ReadOwner.Account : sessionId;

    public bool IsAdmin(ClaimsPrincipal? user)
    {
        if (!SignInRequired || user?.Identity?.IsAuthenticated != true)
        {
            return false;
        }

        return (!string.IsNullOrEmpty(_options.AdminRole) && user.IsInRole(_options.AdminRole))
            || (NicknameOf(user) is { } nickname && _adminKeys.Contains(ChatRules.KeyOf(nickname)));
    }
}
