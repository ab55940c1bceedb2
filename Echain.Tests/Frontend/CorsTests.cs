using System.Net;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.Frontend;

/// <summary>
/// CORS over plain HTTP on the real standalone app: the frontend routes answer an allowed origin (preflight and actual
/// request, with credentials), the webhook and admin routes never carry an Access-Control-* header, and a refused origin
/// gets a normal answer without them. The browser's side of the same is <see cref="CrossOriginPageTests"/>.
/// </summary>
public sealed class CorsTests(CorsTests.AllowedOriginHost host) : IClassFixture<CorsTests.AllowedOriginHost>
{
    public const string Allowed = "http://frontend.example";
    public const string Refused = "http://elsewhere.example";

    public sealed class AllowedOriginHost : EchainTestHost
    {
        public AllowedOriginHost()
        {
            Settings["Echain:Cors:AllowedOrigins:0"] = Allowed;
            Settings["Echain:RateLimits:Enabled"] = "true";
        }
    }

    private async Task<HttpResponseMessage> PreflightAsync(string path, string method, string origin, string? headers = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, host.Url(path));
        request.Headers.TryAddWithoutValidation("Origin", origin);
        request.Headers.TryAddWithoutValidation("Access-Control-Request-Method", method);
        if (headers is not null) request.Headers.TryAddWithoutValidation("Access-Control-Request-Headers", headers);
        return await host.Http.SendAsync(request);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    private static void AssertNoCors(HttpResponseMessage response, string what)
    {
        Assert.True((int)response.StatusCode < 500, $"{what}: {(int)response.StatusCode}");
        var cors = response.Headers.Concat(response.Content.Headers).Where(h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(cors.Count == 0, $"{what}: {string.Join("; ", cors.Select(h => h.Key + ": " + string.Join(",", h.Value)))}");
    }

    [Theory]
    [InlineData("api/events", "GET", "authorization,if-none-match")]
    [InlineData("api/users/0x7052e7a71837b3bbded491ae281dad6543ca6d5e/tickets", "GET", "if-none-match")]
    [InlineData("api/graphql", "POST", "content-type")]
    [InlineData("api/graphql?query=%7B_meta%7Bdeployment%7D%7D", "GET", null)]
    [InlineData("api/negotiate", "POST", "authorization,x-requested-with,x-signalr-user-agent,content-type")]
    [InlineData("hubs/echain/negotiate?negotiateVersion=1", "POST", "authorization,x-requested-with,x-signalr-user-agent")]
    [InlineData("hubs/echain?id=abc", "GET", "x-requested-with,x-signalr-user-agent")]
    [InlineData("api/auth/verify", "POST", "content-type")]
    [InlineData("api/auth/nonce", "GET", null)]
    [InlineData("api/dev/token", "POST", "content-type")]
    [InlineData("api/realtime/groups/1", "DELETE", "content-type")]
    [InlineData("api/realtime/me/messages", "GET", "authorization")]
    public async Task A_frontend_route_answers_the_allowed_origins_preflight_with_credentials(string path, string method, string? headers)
    {
        using var response = await PreflightAsync(path, method, Allowed, headers);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(Allowed, Header(response, "Access-Control-Allow-Origin"));
        Assert.Equal("true", Header(response, "Access-Control-Allow-Credentials"));
        Assert.Contains(method, Header(response, "Access-Control-Allow-Methods"));
        foreach (var name in headers?.Split(',') ?? [])
            Assert.Contains(name, Header(response, "Access-Control-Allow-Headers") ?? "", StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_read_from_the_allowed_origin_exposes_its_ETag_and_one_from_another_origin_is_answered_without_CORS()
    {
        using var allowed = new HttpRequestMessage(HttpMethod.Get, host.Url("api/events"));
        allowed.Headers.TryAddWithoutValidation("Origin", Allowed);
        using var answered = await host.Http.SendAsync(allowed);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal(Allowed, Header(answered, "Access-Control-Allow-Origin"));
        Assert.Equal("true", Header(answered, "Access-Control-Allow-Credentials"));
        Assert.Contains("ETag", Header(answered, "Access-Control-Expose-Headers"));
        Assert.Contains("Retry-After", Header(answered, "Access-Control-Expose-Headers"));
        Assert.NotNull(answered.Headers.ETag);

        // Refused: the server answers as it always does; only the browser withholds the answer from the page.
        using var refused = new HttpRequestMessage(HttpMethod.Get, host.Url("api/events"));
        refused.Headers.TryAddWithoutValidation("Origin", Refused);
        using var plain = await host.Http.SendAsync(refused);
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        AssertNoCors(plain, "GET api/events from a refused origin");
        using var preflight = await PreflightAsync("api/negotiate", "POST", Refused, "authorization");
        AssertNoCors(preflight, "preflight from a refused origin");
    }

    [Theory]
    [InlineData("api/webhooks/coinbase", "POST")]
    [InlineData("api/admin/deliveries", "GET")]
    [InlineData("api/admin/deliveries/1/replay", "POST")]
    [InlineData("api/admin/dead-letters", "GET")]
    [InlineData("api/admin/dead-letters/replay", "POST")]
    public async Task Webhook_and_admin_routes_never_get_CORS_headers_not_even_for_the_allowed_origin(string path, string method)
    {
        using (var preflight = await PreflightAsync(path, method, Allowed, "content-type,x-echain-admin-key"))
            AssertNoCors(preflight, $"preflight {method} {path}");
        using var request = new HttpRequestMessage(new HttpMethod(method), host.Url(path));
        request.Headers.TryAddWithoutValidation("Origin", Allowed);
        request.Headers.TryAddWithoutValidation("X-Echain-Admin-Key", EchainTestHost.AdminKey);
        if (method == "POST") request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        using var response = await host.Http.SendAsync(request);
        AssertNoCors(response, $"{method} {path}");
    }
}
