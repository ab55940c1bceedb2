using System.Net;
using System.Text.Json;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.FunctionsHost;

/// <summary>
/// Wallet sign-in under the Functions host: the forwarded SignInNonce/SignInVerify routes answer as standalone does,
/// and the Negotiate function mints the SignalR Service connection for exactly the wallet that signed in.
/// </summary>
public sealed class FunctionsSignInTests(FunctionsTestHost functions) : IClassFixture<FunctionsTestHost>
{
    [Fact]
    public async Task A_wallet_signs_in_through_the_forwarded_routes_and_negotiates_as_itself()
    {
        functions.Settings["Echain:Auth:AllowedOrigins:0"] = SignInTestHost.Origin.GetLeftPart(UriPartial.Authority);
        await functions.StopAsync();
        await functions.StartAsync();

        var wallet = new SignInWallet();
        var text = wallet.Message(SignInTestHost.Origin, SignInTestHost.ChainId, await functions.NonceAsync()).ToText();
        var (status, _, body) = await SignInCalls.ReadAsync(await functions.VerifyAsync(text, wallet.Sign(text)));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(wallet.UserId, body.GetProperty("userId").GetString());
        var (replayed, field, _) = await SignInCalls.ReadAsync(await functions.VerifyAsync(text, wallet.Sign(text)));
        Assert.Equal((HttpStatusCode.Unauthorized, "nonce"), (replayed, field));

        var token = body.GetProperty("accessToken").GetString()!;
        // Negotiate with the signed-in token: the SignalR Service connection is the wallet's (nameid), whatever header came along.
        using var negotiate = new HttpRequestMessage(HttpMethod.Post, functions.Url("api/negotiate"));
        negotiate.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var negotiated = await functions.Http.SendAsync(negotiate);
        Assert.Equal(HttpStatusCode.OK, negotiated.StatusCode);
        var accessToken = JsonDocument.Parse(await negotiated.Content.ReadAsStringAsync()).RootElement.GetProperty("accessToken").GetString()!;
        Assert.Equal(wallet.UserId, new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(accessToken).GetClaim("nameid").Value);
        Assert.Equal(JsonValueKind.String, body.GetProperty("expiresOn").ValueKind);
    }
}
