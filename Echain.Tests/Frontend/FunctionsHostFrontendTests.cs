using System.Net;
using Echain.Tests.FunctionsHost;

namespace Echain.Tests.Frontend;

/// <summary>
/// The same app as an Azure Functions custom handler, requests forwarded as the Functions host forwards them: the platform
/// answers CORS there (siteConfig.cors / Host.CORS), so the app adds no CORS header of its own (a doubled
/// Access-Control-Allow-Origin breaks browsers); the rate limits hold, per client by Azure's X-Forwarded-For.
/// </summary>
public sealed class FunctionsHostFrontendTests(FunctionsHostFrontendTests.Host host) : IClassFixture<FunctionsHostFrontendTests.Host>
{
    public sealed class Host : FunctionsTestHost
    {
        public Host()
        {
            Settings["Echain:Cors:AllowedOrigins:0"] = CorsTests.Allowed;
            Settings["Echain:RateLimits:Enabled"] = "true";
            Settings["Echain:RateLimits:Reads:PermitLimit"] = "3";
        }
    }

    private async Task<HttpResponseMessage> ForwardedAsync(HttpMethod method, string path, string? forwardedFor = null, bool preflight = false)
    {
        using var request = new HttpRequestMessage(method, host.Url(path));
        request.Headers.TryAddWithoutValidation("Origin", CorsTests.Allowed);
        if (preflight) request.Headers.TryAddWithoutValidation("Access-Control-Request-Method", "GET");
        if (forwardedFor is not null) request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
        return await host.Http.SendAsync(request);
    }

    private static void AssertNoCors(HttpResponseMessage response) =>
        Assert.DoesNotContain(response.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));

    [Fact]
    public async Task The_app_adds_no_CORS_header_of_its_own_the_platform_does()
    {
        using (var read = await ForwardedAsync(HttpMethod.Get, "api/events", "203.0.113.40:50000"))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            AssertNoCors(read);
        }
        using var preflight = await ForwardedAsync(HttpMethod.Options, "api/events", "203.0.113.40:50000", preflight: true);
        Assert.True((int)preflight.StatusCode < 500, $"{(int)preflight.StatusCode}");
        AssertNoCors(preflight);
    }

    [Fact]
    public async Task Forwarded_reads_are_limited_per_client_by_the_front_ends_X_Forwarded_For()
    {
        for (var i = 0; i < 3; i++)
        {
            using var read = await ForwardedAsync(HttpMethod.Get, "api/events", "203.0.113.41:50001");
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }
        // The same client on another source port is the same client.
        using (var refused = await ForwardedAsync(HttpMethod.Get, "api/events", "203.0.113.41:50002"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.True(refused.Headers.RetryAfter is not null);
        }
        using var other = await ForwardedAsync(HttpMethod.Get, "api/events", "203.0.113.42:50001");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }
}
