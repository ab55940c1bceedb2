using System.Net;
using Echain.Functions.Shared.Http;
using Echain.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Echain.Tests.Frontend;

/// <summary>The start-up checks of Echain:Cors and Echain:RateLimits, and whose address a request counts against.</summary>
public sealed class FrontendSettingsTests
{
    [Theory]
    [InlineData("https://app.example")]
    [InlineData("http://localhost:3000")]
    [InlineData(" https://tickets.example:8443 ")]
    public void An_origin_is_accepted(string origin) =>
        Assert.True(new FrontendCorsOptions { AllowedOrigins = [origin] }.IsValid(out _));

    [Theory]
    [InlineData("https://app.example/", "is not an origin")]
    [InlineData("https://app.example/path", "is not an origin")]
    [InlineData("app.example", "is not an origin")]
    [InlineData("ftp://app.example", "is not an origin")]
    [InlineData("*", "credentials")]
    public void Anything_else_is_refused_naming_the_entry(string origin, string reason)
    {
        var options = new FrontendCorsOptions { AllowedOrigins = ["https://ok.example", origin] };
        Assert.False(options.IsValid(out var error));
        Assert.Contains("Echain:Cors:AllowedOrigins:1", error);
        Assert.Contains(reason, error);
    }

    [Fact]
    public void Origins_are_compared_as_browsers_send_them() =>
        Assert.Equal(["https://app.example", "http://localhost:3000"],
            new FrontendCorsOptions { AllowedOrigins = ["https://APP.example:443", "http://localhost:3000"] }.Origins());

    [Fact]
    public void A_limit_below_one_or_an_empty_window_refuses_to_start_naming_the_policy()
    {
        var options = new RateLimitsOptions();
        Assert.True(options.IsValid(out _));
        options.SignIn.PermitLimit = 0;
        Assert.False(options.IsValid(out var error));
        Assert.Contains("Echain:RateLimits:SignIn", error);
        options.SignIn.PermitLimit = 1;
        options.Webhook.Window = TimeSpan.Zero;
        Assert.False(options.IsValid(out error));
        Assert.Contains("Echain:RateLimits:Webhook", error);
    }

    private static DefaultHttpContext Request(string remote, string? forwardedFor)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        if (forwardedFor is not null) context.Request.Headers[ClientAddress.ForwardedForHeader] = forwardedFor;
        return context;
    }

    [Theory]
    // Not trusted: whatever the client writes, the connection's address counts.
    [InlineData("10.0.0.5", "203.0.113.9", false, "10.0.0.5")]
    // Trusted: the last entry (the nearest proxy's), with Azure's :port taken off.
    [InlineData("127.0.0.1", "198.51.100.1, 203.0.113.9:51234", true, "203.0.113.9")]
    [InlineData("127.0.0.1", "[2001:db8:1:2:3:4:5:6]:443", true, "2001:db8:1:2::/64")]
    // Trusted but absent or unreadable: the connection's address.
    [InlineData("127.0.0.1", null, true, "127.0.0.1")]
    [InlineData("127.0.0.1", "not-an-address", true, "127.0.0.1")]
    // An IPv6 host owns its /64; an IPv4-mapped address is the IPv4 one.
    [InlineData("2001:db8:aa:bb:1:2:3:4", null, false, "2001:db8:aa:bb::/64")]
    [InlineData("::ffff:192.0.2.8", null, false, "192.0.2.8")]
    public void The_client_address_is_the_partition(string remote, string? forwardedFor, bool trust, string expected) =>
        Assert.Equal(expected, ClientAddress.Of(Request(remote, forwardedFor), trust));

    [Theory]
    [InlineData("Echain:Cors:AllowedOrigins:0", "*", "Echain:Cors:AllowedOrigins:0 = '*' is refused")]
    [InlineData("Echain:RateLimits:Negotiate:PermitLimit", "0", "Echain:RateLimits:Negotiate: PermitLimit must be at least 1")]
    public async Task The_real_app_refuses_to_start_naming_the_setting(string setting, string value, string expected)
    {
        await using var app = new EchainTestHost();
        app.Settings[setting] = value;
        var error = await Assert.ThrowsAsync<OptionsValidationException>(app.InitializeAsync);
        Assert.StartsWith(expected, error.Message);
    }
}
