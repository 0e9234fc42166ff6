using Microsoft.Extensions.Options;
using OrleansChat.Tests.Support;

namespace OrleansChat.Tests.Functional.Front;

/// <summary>A wrong setting stops the front at start-up with a message that names it.</summary>
public sealed class ConfigurationValidationTests
{
    [Theory]
    [InlineData("OrleansChat:Cluster:Mode", "Redis", "OrleansChat:Cluster:RedisConnectionString")]
    [InlineData("OrleansChat:Cluster:SiloPort", "70000", "OrleansChat:Cluster:SiloPort")]
    [InlineData("OrleansChat:Cluster:SiloPort", "many", "OrleansChat:Cluster")]
    [InlineData("OrleansChat:Cluster:AdvertisedAddress", "not-an-ip", "OrleansChat:Cluster:AdvertisedAddress")]
    [InlineData("OrleansChat:Rooms:MaxRoomsPerUser", "0", "OrleansChat:Rooms:MaxRoomsPerUser")]
    [InlineData("OrleansChat:Conversations:MaxMembers", "1", "OrleansChat:Conversations:MaxMembers")]
    [InlineData("OrleansChat:Front:LeaseDuration", "00:00:01", "OrleansChat:Front:LeaseDuration")]
    [InlineData("OrleansChat:Auth:Mode", "Jwt", "OrleansChat:Auth:Audience")]
    [InlineData("OrleansChat:Auth:Mode", "Jwt", "OrleansChat:Auth:Authority,SigningKey")]
    [InlineData("OrleansChat:Auth:Mode", "Kerberos", "OrleansChat:Auth")]
    [InlineData("OrleansChat:Front:AllowedOrigins:0", "https://chat.example.com/", "OrleansChat:Front:AllowedOrigins")]
    [InlineData("OrleansChat:Front:AllowedOrigins:0", "*", "OrleansChat:Front:AllowedOrigins")]
    [InlineData("OrleansChat:Front:AllowedOrigins:0", "chat.example.com", "OrleansChat:Front:AllowedOrigins")]
    [InlineData("OrleansChat:Management:Port", "0", "OrleansChat:Management:Port")]
    public async Task An_invalid_setting_fails_start_up_naming_it(string key, string value, string named)
    {
        await using var front = new ChatFrontFactory().With(key, value);

        var error = Assert.ThrowsAny<Exception>(() => front.StartServer());

        var validation = error as OptionsValidationException ?? error.InnerException as OptionsValidationException;
        Assert.NotNull(validation);
        Assert.Contains(named, validation.Message);
    }

    [Theory]
    [InlineData("OrleansChat:Auth:Authority", "http://login.example.com", "OrleansChat:Auth:Authority")]
    [InlineData("OrleansChat:Auth:SigningKey", "c2hvcnQ=", "OrleansChat:Auth:SigningKey")]
    public async Task A_jwt_setting_that_would_fail_later_fails_start_up_naming_it(string key, string value, string named)
    {
        await using var front = new ChatFrontFactory()
            .With("OrleansChat:Auth:Mode", "Jwt")
            .With("OrleansChat:Auth:Audience", "orleanschat")
            .With("OrleansChat:Auth:Issuer", "https://issuer.test")
            .With(key, value);

        var error = Assert.ThrowsAny<Exception>(() => front.StartServer());

        var validation = error as OptionsValidationException ?? error.InnerException as OptionsValidationException;
        Assert.NotNull(validation);
        Assert.Contains(named, validation.Message);
    }
}
