using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.FunctionsHost;

/// <summary>
/// Wallet sign-in under the Functions host: the forwarded SignInNonce/SignInVerify routes answer as standalone does,
/// and the Negotiate function hands the binding's connection to exactly the wallet that signed in.
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
        var connectionInfo = new JsonObject { ["url"] = "https://echain.service.signalr.net/client/?hub=echain", ["accessToken"] = "minted-by-the-binding" };
        async Task<Invocation> NegotiateAs(string userId)
        {
            var request = new ClientRequest("POST", "api/negotiate",
                [KeyValuePair.Create("Authorization", $"Bearer {token}"), KeyValuePair.Create("x-echain-user-id", userId)], []);
            return await functions.InvokeAsync("Negotiate",
                new JsonObject { ["req"] = request.ToFunctionsReq(), ["connectionInfo"] = connectionInfo.DeepClone() },
                request.ToFunctionsMetadata("Negotiate"));
        }
        Assert.Equal("200", (await NegotiateAs(wallet.UserId)).ResStatus);
        Assert.Equal("401", (await NegotiateAs(TestLedger.RandomAddress())).ResStatus);
        Assert.Equal(JsonValueKind.String, body.GetProperty("expiresOn").ValueKind);
    }
}
