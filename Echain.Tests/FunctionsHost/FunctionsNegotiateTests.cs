using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Echain.Functions.AzureFunctions;
using Echain.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Echain.Tests.FunctionsHost;

/// <summary>
/// POST /api/negotiate under the Functions host (forwarded, as the host sends it): the user id decided as standalone
/// decides it, the SignalR Service connection minted by the handler, with an access key (signed here) or an identity
/// (asked of SignalR Service's REST API, played by a Kestrel stand-in).
/// </summary>
public sealed class FunctionsNegotiateTests(EchainTestHost standalone, FunctionsTestHost functions)
    : IClassFixture<EchainTestHost>, IClassFixture<FunctionsTestHost>
{
    private const string HubUrl = FunctionsTestHost.SignalREndpoint + "/client/?hub=echain";

    private static async Task<(HttpStatusCode Status, string? ContentType, string Body)> NegotiateAsync(
        EchainTestHost host, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, host.Url("api/negotiate"));
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        using var response = await host.Http.SendAsync(request);
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The claims of a token SignalR Service would accept: HS256 under the access key, audience = the client URL.</summary>
    private static async Task<IDictionary<string, object>> ServiceAcceptsAsync(string url, string token)
    {
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidateIssuer = false,
            ValidAudience = url,
            IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(FunctionsTestHost.SignalRAccessKey)),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        return result.Claims;
    }

    private static (string Url, string AccessToken) ConnectionInfo(string body)
    {
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal(["url", "accessToken"], json.EnumerateObject().Select(p => p.Name));
        return (json.GetProperty("url").GetString()!, json.GetProperty("accessToken").GetString()!);
    }

    [Fact]
    public async Task An_anonymous_client_sending_nothing_gets_a_service_connection_without_a_user()
    {
        var (status, type, body) = await NegotiateAsync(functions);

        Assert.Equal((HttpStatusCode.OK, "application/json"), (status, type));
        var (url, token) = ConnectionInfo(body);
        Assert.Equal(HubUrl, url);
        var claims = await ServiceAcceptsAsync(url, token);
        Assert.False(claims.ContainsKey(SignalRServiceNegotiation.UserIdClaim));
        var expires = DateTimeOffset.FromUnixTimeSeconds(Convert.ToInt64(claims["exp"]));
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
        Assert.Equal("HS256", new JsonWebToken(token).Alg);
    }

    [Fact]
    public async Task A_user_token_makes_the_wallet_the_connections_nameid()
    {
        var wallet = TestLedger.RandomAddress();
        var (status, _, body) = await NegotiateAsync(functions, ("Authorization", $"Bearer {await functions.DevTokenAsync(wallet)}"));

        Assert.Equal(HttpStatusCode.OK, status);
        var (url, token) = ConnectionInfo(body);
        Assert.Equal(wallet, (await ServiceAcceptsAsync(url, token))[SignalRServiceNegotiation.UserIdClaim]);
    }

    [Theory]
    [InlineData("Bearer not-a-token")]
    [InlineData("Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl")]
    public async Task An_invalid_bearer_is_the_same_401_problem_as_standalone(string authorization)
    {
        var expected = await NegotiateAsync(standalone, ("Authorization", authorization));
        var actual = await NegotiateAsync(functions, ("Authorization", authorization));

        Assert.Equal((HttpStatusCode.Unauthorized, "application/problem+json"), (expected.Status, expected.ContentType));
        Assert.Equal(expected, actual);
        Assert.Equal("https://echain.dev/problems/invalid-token", JsonDocument.Parse(actual.Body).RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Events_at_negotiate_are_checked_as_standalone_checks_them_and_otherwise_ignored()
    {
        async Task<(HttpStatusCode Status, string Body)> WithEventsAsync(EchainTestHost host, string events)
        {
            using var response = await host.Http.PostAsync(host.Url($"api/negotiate?events={events}"), null);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        // The same 400 for the same bad list: one page's code works on both hosts.
        var expected = await WithEventsAsync(standalone, "7,not-an-id");
        Assert.Equal(HttpStatusCode.BadRequest, expected.Status);
        Assert.Equal(expected, await WithEventsAsync(functions, "7,not-an-id"));

        // A good list joins nothing here: the answer is the plain service redirect (its proof carries no events).
        var (status, body) = await WithEventsAsync(functions, "7,8");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HubUrl, ConnectionInfo(body).Url);
    }

    [Fact]
    public async Task An_old_clients_x_echain_user_id_header_is_ignored_the_token_alone_decides()
    {
        var wallet = TestLedger.RandomAddress();
        var token = await functions.DevTokenAsync(wallet);

        var proven = await NegotiateAsync(functions, ("Authorization", $"Bearer {token}"), ("x-echain-user-id", wallet));
        var claimedOther = await NegotiateAsync(functions, ("Authorization", $"Bearer {token}"), ("x-echain-user-id", TestLedger.RandomAddress()));
        var unproven = await NegotiateAsync(functions, ("x-echain-user-id", wallet));
        var anonymous = await NegotiateAsync(functions, ("x-echain-user-id", ""));

        foreach (var (answer, user) in new[] { (proven, wallet), (claimedOther, wallet), (unproven, null), (anonymous, null) })
        {
            Assert.Equal(HttpStatusCode.OK, answer.Status);
            var (url, accessToken) = ConnectionInfo(answer.Body);
            var claims = await ServiceAcceptsAsync(url, accessToken);
            Assert.Equal(user, claims.TryGetValue(SignalRServiceNegotiation.UserIdClaim, out var id) ? id as string : null);
        }
    }

    [Fact]
    public async Task With_an_identity_the_service_mints_the_token_for_the_resolved_user()
    {
        await using var service = await SignalRServiceRestStandIn.StartAsync();
        var credential = new RecordingCredential();
        const string clientId = "6f1c1b5e-0d4a-4a8e-9c61-3f0f3e7f1a01";
        functions.Settings["AzureSignalRConnectionString"] =
            $"Endpoint=http://127.0.0.1;Port={service.Url.Port};AuthType=azure.msi;ClientId={clientId};Version=1.0;";
        functions.ConfigureApp = builder =>
            builder.Services.AddKeyedSingleton<TokenCredential>(SignalRServiceNegotiation.CredentialKey, credential);
        await functions.StopAsync();
        await functions.StartAsync();
        try
        {
            var wallet = TestLedger.RandomAddress();
            var user = await NegotiateAsync(functions, ("Authorization", $"Bearer {await functions.DevTokenAsync(wallet)}"));
            var anonymous = await NegotiateAsync(functions);

            var calls = service.Calls.ToArray();
            Assert.Equal(2, calls.Length);
            foreach (var call in calls)
            {
                Assert.Equal(("POST", "/api/hubs/echain/:generateToken"), (call.Method, call.Path));
                Assert.Equal("Bearer entra-token-for-signalr", call.Authorization);
                Assert.Equal(("60", "2022-11-01"), (call.Query["minutesToExpire"], call.Query["api-version"]));
            }
            Assert.Equal(wallet, calls[0].Query["userId"]);
            Assert.False(calls[1].Query.ContainsKey("userId"));
            Assert.All(credential.Scopes, scopes => Assert.Equal(["https://signalr.azure.com/.default"], scopes));

            var clientUrl = $"http://127.0.0.1:{service.Url.Port}/client/?hub=echain";
            Assert.Equal((HttpStatusCode.OK, clientUrl, calls[0].Token), (user.Status, ConnectionInfo(user.Body).Url, ConnectionInfo(user.Body).AccessToken));
            Assert.Equal((HttpStatusCode.OK, calls[1].Token), (anonymous.Status, ConnectionInfo(anonymous.Body).AccessToken));

            // The service down: the client is told to retry, like every other dependency outage.
            service.FailWith = 503;
            var down = await NegotiateAsync(functions);
            Assert.Equal((HttpStatusCode.ServiceUnavailable, "application/problem+json"), (down.Status, down.ContentType));
            Assert.Equal("https://echain.dev/problems/service-unavailable", JsonDocument.Parse(down.Body).RootElement.GetProperty("type").GetString());
            Assert.DoesNotContain("127.0.0.1", down.Body);
        }
        finally
        {
            functions.Settings["AzureSignalRConnectionString"] = FunctionsTestHost.SignalRConnectionString;
            functions.ConfigureApp = null;
            await functions.StopAsync();
            await functions.StartAsync();
        }
    }

    /// <summary>Stands for the managed identity: a fixed bearer, and the scopes it was asked for.</summary>
    private sealed class RecordingCredential : TokenCredential
    {
        public System.Collections.Concurrent.ConcurrentQueue<string[]> Scopes { get; } = new();

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Scopes.Enqueue(requestContext.Scopes);
            return new AccessToken("entra-token-for-signalr", DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(GetToken(requestContext, cancellationToken));
    }
}
