using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace OrleansChat.Hosting;

/// <summary>
/// A default listen address that every usual ASP.NET Core setting still overrides (ASPNETCORE_URLS, --urls, the
/// Urls key, Kestrel endpoints). Putting it in appsettings.json would shadow ASPNETCORE_URLS.
/// </summary>
public static class ListenAddressExtensions
{
    public static WebApplicationBuilder ListenByDefaultOn(this WebApplicationBuilder builder, string urls)
    {
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey])
            && !builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            builder.WebHost.UseUrls(urls);
        }

        return builder;
    }
}
