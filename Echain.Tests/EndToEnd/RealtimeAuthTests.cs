using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Echain.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Echain.Tests.EndToEnd;

/// <summary>Negotiate: who a connection is comes only from tokens we signed.</summary>
public sealed class RealtimeAuthTests(EchainTestHost host) : IClassFixture<EchainTestHost>
{
    [Fact]
    public async Task Anonymous_negotiate_gets_a_hub_url_and_a_token_without_a_user()
    {
        var info = await NegotiateAsync(bearer: null);
        Assert.Equal(host.Url("hubs/echain").ToString(), info.GetProperty("url").GetString());
        Assert.Null(Subject(info));
    }

    [Fact]
    public async Task A_user_token_binds_the_wallet_and_a_reconnect_with_the_issued_token_keeps_it()
    {
        var wallet = TestLedger.RandomAddress();
        var first = await NegotiateAsync(await host.DevTokenAsync(wallet));
        Assert.Equal(wallet, Subject(first));

        // What SignalR clients do on reconnect: negotiate again with the token of their last redirect.
        var again = await NegotiateAsync(first.GetProperty("accessToken").GetString());
        Assert.Equal(wallet, Subject(again));
    }

    [Fact]
    public async Task A_forged_or_foreign_token_is_401()
    {
        using var forged = await PostNegotiateAsync("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIweGFiYyJ9.c2lnbmF0dXJl");
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal("application/problem+json", forged.Content.Headers.ContentType?.MediaType);

        var otherKey = new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(new byte[32]);
        var foreign = new JsonWebTokenHandler().CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Issuer = "echain", Audience = "echain-api",
            Claims = new Dictionary<string, object> { ["sub"] = TestLedger.RandomAddress() },
            SigningCredentials = new(otherKey, Microsoft.IdentityModel.Tokens.SecurityAlgorithms.HmacSha256),
        });
        using var rejected = await PostNegotiateAsync(foreign);
        Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
    }

    [Fact]
    public async Task The_hub_refuses_connections_without_a_negotiated_token()
    {
        using var response = await host.Http.PostAsync(host.Url("hubs/echain/negotiate?negotiateVersion=1"), null);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private async Task<JsonElement> NegotiateAsync(string? bearer)
    {
        using var response = await PostNegotiateAsync(bearer);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private Task<HttpResponseMessage> PostNegotiateAsync(string? bearer)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, host.Url("api/negotiate?negotiateVersion=1"));
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return host.Http.SendAsync(request);
    }

    private static string? Subject(JsonElement info) =>
        new JsonWebToken(info.GetProperty("accessToken").GetString()).TryGetPayloadValue<string>("sub", out var sub) ? sub : null;
}
