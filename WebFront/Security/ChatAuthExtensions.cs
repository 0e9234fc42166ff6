using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;
using OrleansChat.Hosting;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.WebFront.Security;

/// <summary>Optional sign-in: standard JWT bearer authentication in front of the hub, off in Anonymous mode.</summary>
public static class ChatAuthExtensions
{
    /// <summary>The query-string parameter SignalR's JavaScript client puts the token in.</summary>
    private const string AccessTokenParameter = "access_token";

    public static IHostApplicationBuilder AddChatAuth(this IHostApplicationBuilder builder)
    {
        var auth = builder.AddValidatedOptions<ChatAuthOptions>(ChatAuthOptions.SectionName);
        builder.Services.AddSingleton<ChatAccounts>();
        if (auth.Mode != AuthMode.Jwt)
        {
            return builder;
        }

        builder.Services.AddAuthorization();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(jwt =>
        {
            // Claims keep the names the token gives them, so NicknameClaim and RoleClaim mean what the issuer says.
            jwt.MapInboundClaims = false;
            jwt.Audience = auth.Audience;
            if (!string.IsNullOrWhiteSpace(auth.Authority))
            {
                jwt.Authority = auth.Authority;
                jwt.RequireHttpsMetadata = auth.RequireHttpsMetadata;
            }
            else
            {
                jwt.TokenValidationParameters.ValidIssuer = auth.Issuer;
                jwt.TokenValidationParameters.IssuerSigningKey = new SymmetricSecurityKey(auth.SigningKeyBytes());
            }

            jwt.TokenValidationParameters.ClockSkew = auth.ClockSkew;
            jwt.TokenValidationParameters.NameClaimType = auth.NicknameClaim;
            jwt.TokenValidationParameters.RoleClaimType = auth.RoleClaim;
            jwt.Events = new JwtBearerEvents
            {
                // Browsers cannot set headers on WebSockets or server-sent events, so SignalR's JavaScript client
                // sends the token in the query string; only the hub's requests may use it.
                OnMessageReceived = context =>
                {
                    var token = context.Request.Query[AccessTokenParameter];
                    if (!string.IsNullOrEmpty(token) && context.Request.Path.StartsWithSegments(HubRoute.Path))
                    {
                        context.Token = token;
                    }

                    return Task.CompletedTask;
                },
            };
        });
        return builder;
    }
}
