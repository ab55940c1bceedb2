using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Echain.Functions.Shared.Http;
using Echain.Tests.FunctionsHost;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.EndToEnd;

/// <summary>
/// Requests Kestrel would refuse by itself: over the documented limits they get problem+json from the app (which
/// raised Kestrel's own limits to check them first); what Kestrel alone parses (a NUL or CR in a header, a broken
/// request line, beyond the raised limits) is asserted as Kestrel answers it: the status, an empty body, and a
/// closed connection. Both hosts: the Functions host forwards HTTP to this same Kestrel.
/// </summary>
public abstract class RequestLimitTests(EchainTestHost host)
{
    protected EchainTestHost Host => host;

    [Fact]
    public async Task A_url_over_8_KiB_is_414_problem_json()
    {
        using var response = await host.GetAsync("api/events?cursor=" + new string('a', 9 * 1024));
        await AssertProblemAsync(response, HttpStatusCode.RequestUriTooLong, "uri-too-long");
    }

    [Fact]
    public async Task A_url_just_under_8_KiB_is_answered_by_the_endpoint()
    {
        // "GET /" + target + " HTTP/1.1\r\n" = 8192 bytes exactly: within the limit, so the read itself answers (a bad cursor).
        var target = "api/events?cursor=" + new string('a', RequestLimits.MaxRequestLineBytes - "GET /".Length - " HTTP/1.1\r\n".Length - "api/events?cursor=".Length);
        using var response = await host.GetAsync(target);
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid-argument");
    }

    [Fact]
    public async Task Headers_over_32_KiB_are_431_problem_json()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, host.Url("api/health"));
        for (var i = 0; i < 5; i++) request.Headers.TryAddWithoutValidation($"X-Padding-{i}", new string('p', 7 * 1024));
        using var response = await host.Http.SendAsync(request);
        await AssertProblemAsync(response, HttpStatusCode.RequestHeaderFieldsTooLarge, "headers-too-large");
    }

    [Fact]
    public async Task More_than_100_header_fields_are_431_problem_json()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, host.Url("api/health"));
        for (var i = 0; i < 101; i++) request.Headers.TryAddWithoutValidation($"X-Field-{i}", "v");
        using var response = await host.Http.SendAsync(request);
        await AssertProblemAsync(response, HttpStatusCode.RequestHeaderFieldsTooLarge, "headers-too-large");
    }

    [Fact]
    public async Task An_unknown_route_is_404_problem_json()
    {
        using var response = await host.GetAsync("api/no-such-route");
        await AssertProblemAsync(response, HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task A_wrong_method_is_405_problem_json_with_allow()
    {
        using var response = await host.Http.PostAsync(host.Url("api/health"), new StringContent("{}", Encoding.UTF8, "application/json"));
        var problem = await AssertProblemAsync(response, HttpStatusCode.MethodNotAllowed, "method-not-allowed");
        Assert.Equal("GET", string.Join(",", response.Content.Headers.Allow));
        Assert.Equal("GET", problem.GetProperty("allow").GetString());
    }

    // Kestrel's parser refuses these before any app code runs and offers no hook for the answer's body.
    [Theory]
    [InlineData("GET /api/health HTTP/1.1\r\nHost: x\r\nX-Bad: a\0b\r\n\r\n")]
    [InlineData("GET /api/health HTTP/1.1\r\nHost: x\r\nX-Bad: a\rb\r\n\r\n")]
    [InlineData("GET /api/health HTTP/1.1 extra\r\nHost: x\r\n\r\n")]
    [InlineData("GET\0/api/health HTTP/1.1\r\nHost: x\r\n\r\n")]
    public async Task What_kestrel_alone_parses_is_400_with_an_empty_body_and_the_connection_closed(string raw)
    {
        var answer = await RawAsync(raw);
        AssertKestrelRejection(answer, "400 Bad Request");
    }

    [Fact]
    public async Task A_request_line_beyond_kestrels_raised_limit_is_kestrels_own_empty_414()
    {
        var answer = await RawAsync($"GET /api/events?cursor={new string('a', RequestLimits.KestrelRequestLineBytes)} HTTP/1.1\r\nHost: x\r\n\r\n");
        AssertKestrelRejection(answer, "414 URI Too Long");
    }

    private static void AssertKestrelRejection(string answer, string statusLine)
    {
        Assert.StartsWith("HTTP/1.1 " + statusLine + "\r\n", answer);
        Assert.Contains("\r\nContent-Length: 0\r\n", answer);
        Assert.Contains("\r\nConnection: close\r\n", answer);
        Assert.EndsWith("\r\n\r\n", answer); // no body, and the server closed the connection after the head
    }

    /// <summary>Sends bytes no HttpClient would send and reads until the server closes the connection.</summary>
    private async Task<string> RawAsync(string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(host.BaseAddress.Host, host.BaseAddress.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request));
        using var read = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await stream.CopyToAsync(read, timeout.Token);
        return Encoding.Latin1.GetString(read.ToArray());
    }

    protected static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal("https://echain.dev/problems/" + type, problem.GetProperty("type").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        return problem.Clone();
    }
}

public sealed class StandaloneRequestLimitTests(EchainTestHost host) : RequestLimitTests(host), IClassFixture<EchainTestHost>
{
    // The body binder's own refusals (standalone: the group routes bind [FromBody]) come back as Echain's problems too.
    [Fact]
    public async Task A_body_the_binder_refuses_is_problem_json()
    {
        using var text = await Host.Http.PostAsync(Host.Url("api/realtime/groups/1"), new StringContent("{}", Encoding.UTF8, "text/plain"));
        await AssertProblemAsync(text, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
        using var broken = await Host.Http.PostAsync(Host.Url("api/realtime/groups/1"), new StringContent("{\"connectionId\":", Encoding.UTF8, "application/json"));
        await AssertProblemAsync(broken, HttpStatusCode.BadRequest, "invalid-request");
    }
}

/// <summary>The custom handler's own Kestrel, which the Functions host forwards HTTP requests to.</summary>
public sealed class FunctionsRequestLimitTests(FunctionsTestHost host) : RequestLimitTests(host), IClassFixture<FunctionsTestHost>;
