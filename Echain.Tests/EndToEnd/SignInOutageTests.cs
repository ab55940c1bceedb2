using System.Net;
using Echain.Core.Auth;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.EndToEnd;

/// <summary>
/// Sign-in over time and outages, on a host of its own (these tests restart it or stop its Redis): nonces expire,
/// an unreachable Redis or node is 503 with Retry-After, and a configured chain id needs no node.
/// </summary>
public sealed class SignInOutageTests(SignInTestHost host) : IClassFixture<SignInTestHost>
{
    private readonly SignInWallet _wallet = new();

    private async Task<SiweMessage> FreshMessageAsync() => _wallet.Message(SignInTestHost.Origin, SignInTestHost.ChainId, await host.NonceAsync());

    private async Task<(HttpStatusCode Status, string? Field)> SubmitAsync(string text)
    {
        using var response = await host.VerifyAsync(text, _wallet.Sign(text));
        var (status, field, _) = await SignInCalls.ReadAsync(response);
        return (status, field);
    }

    [Fact]
    public async Task A_nonce_expires_after_its_lifetime()
    {
        host.Settings["Echain:Auth:NonceLifetime"] = "00:00:01";
        await host.StopAsync();
        await host.StartAsync();
        try
        {
            var text = (await FreshMessageAsync()).ToText();
            using var redis = host.Redis.Connect();
            await Eventually.TrueAsync(async () => !await redis.GetDatabase().KeyExistsAsync(
                SignInNonces.KeyPrefix + SiweMessageParserNonce(text)), "the nonce to expire in Redis", 10);
            Assert.Equal((HttpStatusCode.Unauthorized, "nonce"), await SubmitAsync(text));
        }
        finally
        {
            host.Settings.Remove("Echain:Auth:NonceLifetime");
            await host.StopAsync();
            await host.StartAsync();
        }
    }

    [Fact]
    public async Task Redis_down_is_503_with_retry_after_for_both_calls()
    {
        var text = (await FreshMessageAsync()).ToText();
        host.Redis.Stop();
        try
        {
            using var nonce = await host.GetAsync("api/auth/nonce");
            using var verify = await host.VerifyAsync(text, _wallet.Sign(text));
            foreach (var response in new[] { nonce, verify })
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.NotNull(response.Headers.RetryAfter);
            }
        }
        finally
        {
            host.Redis.Start();
        }
        // Redis restarts empty (no persistence): the app reconnects and issues nonces again.
        await Eventually.TrueAsync(async () => (await host.GetAsync("api/auth/nonce")).StatusCode == HttpStatusCode.OK, "nonces to be issued again");
        Assert.Equal(HttpStatusCode.OK, (await SubmitAsync((await FreshMessageAsync()).ToText())).Status);
    }

    [Fact]
    public async Task Without_a_configured_chain_id_an_unreachable_node_is_503_and_a_configured_one_needs_no_node()
    {
        host.Settings["Echain:Chain:RpcUrls:0"] = "http://127.0.0.1:9/"; // discard port: nothing answers
        host.Settings["Echain:Chain:RpcTimeout"] = "00:00:00.500";
        await host.StopAsync();
        await host.StartAsync();
        try
        {
            using var unavailable = await host.VerifyAsync((await FreshMessageAsync()).ToText(), "0x00");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
            Assert.NotNull(unavailable.Headers.RetryAfter);

            host.Settings["Echain:Auth:ChainId"] = SignInTestHost.ChainId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await host.StopAsync();
            await host.StartAsync();
            Assert.Equal(HttpStatusCode.OK, (await SubmitAsync((await FreshMessageAsync()).ToText())).Status);
        }
        finally
        {
            foreach (var key in new[] { "Echain:Chain:RpcUrls:0", "Echain:Chain:RpcTimeout", "Echain:Auth:ChainId" }) host.Settings.Remove(key);
            await host.StopAsync();
            await host.StartAsync();
        }
    }

    private static string SiweMessageParserNonce(string text)
    {
        Assert.True(SiweMessageParser.TryParse(text, out var message, out _));
        return message!.Nonce;
    }
}
