using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Echain.Core.Auth;
using Echain.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Echain.Tests.EndToEnd;

/// <summary>
/// Sign-In with Ethereum against the real app (Kestrel, Redis nonces, the anvil node's chain id): every field is
/// checked, a nonce buys exactly one attempt, and the token it returns opens a connection that receives the
/// wallet's own messages.
/// </summary>
public sealed class SignInTests(SignInTestHost host) : IClassFixture<SignInTestHost>
{
    private readonly SignInWallet _wallet = new();

    private async Task<SiweMessage> FreshMessageAsync() => _wallet.Message(SignInTestHost.Origin, SignInTestHost.ChainId, await host.NonceAsync());

    private async Task<(HttpStatusCode Status, string? Field, JsonElement Body)> SubmitAsync(string text, string? signature = null)
    {
        using var response = await host.VerifyAsync(text, signature ?? _wallet.Sign(text));
        return await SignInCalls.ReadAsync(response);
    }

    [Fact]
    public async Task A_signed_in_wallet_negotiates_a_user_connection_and_receives_its_balance_updates()
    {
        using var nonceResponse = await host.GetAsync("api/auth/nonce");
        Assert.Equal("no-store", nonceResponse.Headers.CacheControl?.ToString());
        var nonce = (await SignInCalls.ReadAsync(nonceResponse)).Body.GetProperty("nonce").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", nonce); // 128 random bits

        var text = _wallet.Message(SignInTestHost.Origin, SignInTestHost.ChainId, nonce).ToText();
        var (status, _, body) = await SubmitAsync(text);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(_wallet.UserId, body.GetProperty("userId").GetString());
        Assert.True(body.GetProperty("expiresOn").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        var token = body.GetProperty("accessToken").GetString()!;

        await using var client = new RealtimeRecorder(new HubConnectionBuilder()
            .WithUrl(host.Url("api"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build());
        await client.Connection.StartAsync();

        var payer = await host.Ledger.NewWalletAsync();
        await host.Webhooks.SendAllAsync(await host.Ledger.FundAsync(payer, 7_000_000));
        await host.Webhooks.SendAllAsync(await host.Ledger.PayUsdcAsync(payer, _wallet.UserId, 7_000_000));
        var update = await client.WaitForAsync("balance-updated", p => p.GetProperty("userId").GetString() == _wallet.UserId);
        Assert.Equal("7000000", update.Payload.GetProperty("balance").GetString());
        Assert.Equal(host.Deployment.PaymentToken, update.Payload.GetProperty("token").GetString());
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { "a missing Version line", "version" },
        { "an address not in its checksum form", "address" },
        { "an Issued At that is no RFC 3339 time", "issuedAt" },
        { "version 2", "version" },
        { "a chain id that is not a number", "chainId" },
        { "no preamble", "domain" },
        { "a nonce shorter than 8 characters", "nonce" },
        { "CR LF line ends", "message" },
        { "an extra line at the end", "message" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task A_malformed_message_is_400_naming_the_field_and_leaves_the_nonce_usable(string mistake, string field)
    {
        var message = await FreshMessageAsync();
        var text = message.ToText();
        var broken = mistake switch
        {
            "a missing Version line" => text.Replace("Version: 1\n", ""),
            "an address not in its checksum form" => text.Replace(message.Address, message.Address.ToLowerInvariant()),
            "an Issued At that is no RFC 3339 time" => text.Replace("Issued At: ", "Issued At: yesterday "),
            "version 2" => text.Replace("Version: 1", "Version: 2"),
            "a chain id that is not a number" => text.Replace($"Chain ID: {SignInTestHost.ChainId}", "Chain ID: 0x7a69"),
            "no preamble" => text.Replace(SiweMessage.Preamble, " asks you to log in:"),
            "a nonce shorter than 8 characters" => text.Replace($"Nonce: {message.Nonce}", "Nonce: abc"),
            "CR LF line ends" => text.Replace("\n", "\r\n"),
            "an extra line at the end" => text + "\nP.S. hello",
            _ => throw new ArgumentOutOfRangeException(nameof(mistake)),
        };
        var (status, named, body) = await SubmitAsync(broken);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(field, named);
        Assert.DoesNotContain(message.Nonce, body.GetRawText());

        Assert.Equal(HttpStatusCode.OK, (await SubmitAsync(text)).Status);
    }

    [Theory]
    [InlineData("", "signature")]
    [InlineData("0xnothex", "signature")]
    [InlineData("abcd", "signature")]
    public async Task A_signature_that_is_not_hex_is_400(string signature, string field)
    {
        var (status, named, _) = await SubmitAsync((await FreshMessageAsync()).ToText(), signature);
        Assert.Equal((HttpStatusCode.BadRequest, field), (status, named));
    }

    [Fact]
    public async Task A_body_without_a_message_or_not_json_is_400()
    {
        using var noMessage = await host.Http.PostAsync(host.Url("api/auth/verify"),
            new StringContent("""{"signature":"0x00"}""", MediaTypeHeaderValue.Parse("application/json")));
        Assert.Equal((HttpStatusCode.BadRequest, "message"), Pick(await SignInCalls.ReadAsync(noMessage)));
        using var notJson = await host.Http.PostAsync(host.Url("api/auth/verify"),
            new StringContent("message=hi", MediaTypeHeaderValue.Parse("application/json")));
        Assert.Equal((HttpStatusCode.BadRequest, "body"), Pick(await SignInCalls.ReadAsync(notJson)));
    }

    private static (HttpStatusCode, string?) Pick((HttpStatusCode Status, string? Field, JsonElement Body) answer) => (answer.Status, answer.Field);

    public static TheoryData<string, string> Refused => new()
    {
        { "another domain", "domain" },
        { "a scheme other than the origin's", "domain" },
        { "a URI on another origin", "uri" },
        { "another chain", "chainId" }, // anvil's default 31337, say
        { "another statement", "statement" },
        { "no statement", "statement" },
        { "an expiration time passed", "expirationTime" },
        { "a not-before in the future", "notBefore" },
        { "an issued-at in the future", "issuedAt" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_message_for_another_site_chain_statement_or_time_is_401_and_leaves_the_nonce_usable(string mistake, string field)
    {
        var message = await FreshMessageAsync();
        var now = DateTimeOffset.UtcNow;
        var wrong = mistake switch
        {
            "another domain" => message with { Domain = "evil.example" },
            "a scheme other than the origin's" => message with { Scheme = "http" },
            "a URI on another origin" => message with { Uri = "https://evil.example/" },
            "another chain" => message with { ChainId = 31337 },
            "another statement" => message with { Statement = "Sign in to Evil." },
            "no statement" => message with { Statement = null },
            // Beyond the 60 s clock tolerance each way.
            "an expiration time passed" => message with { IssuedAt = now.AddMinutes(-10), ExpirationTime = now.AddMinutes(-2) },
            "a not-before in the future" => message with { NotBefore = now.AddMinutes(2) },
            "an issued-at in the future" => message with { IssuedAt = now.AddMinutes(2) },
            _ => throw new ArgumentOutOfRangeException(nameof(mistake)),
        };
        var (status, named, _) = await SubmitAsync(wrong.ToText());
        Assert.Equal((HttpStatusCode.Unauthorized, field), (status, named));

        Assert.Equal(HttpStatusCode.OK, (await SubmitAsync(message.ToText())).Status);
    }

    [Fact]
    public async Task Times_within_the_clock_tolerance_are_accepted()
    {
        var now = DateTimeOffset.UtcNow;
        var message = await FreshMessageAsync() with { IssuedAt = now.AddSeconds(20), NotBefore = now.AddSeconds(20), ExpirationTime = now.AddSeconds(-20) };
        Assert.Equal(HttpStatusCode.OK, (await SubmitAsync(message.ToText())).Status);
    }

    [Fact]
    public async Task A_nonce_never_issued_is_401()
    {
        var message = _wallet.Message(SignInTestHost.Origin, SignInTestHost.ChainId, "0123456789abcdef0123456789abcdef");
        Assert.Equal((HttpStatusCode.Unauthorized, "nonce"), Pick(await SubmitAsync(message.ToText())));
    }

    [Fact]
    public async Task A_nonce_works_once()
    {
        var text = (await FreshMessageAsync()).ToText();
        Assert.Equal(HttpStatusCode.OK, (await SubmitAsync(text)).Status);
        Assert.Equal((HttpStatusCode.Unauthorized, "nonce"), Pick(await SubmitAsync(text)));
    }

    [Fact]
    public async Task A_signature_by_another_key_is_401_and_spends_the_nonce()
    {
        var text = (await FreshMessageAsync()).ToText();
        Assert.Equal((HttpStatusCode.Unauthorized, "signature"), Pick(await SubmitAsync(text, new SignInWallet().Sign(text))));
        // The attempt reached the signature check, so its nonce is gone: the right signature now needs a new nonce.
        Assert.Equal((HttpStatusCode.Unauthorized, "nonce"), Pick(await SubmitAsync(text)));
    }

    [Fact]
    public async Task Concurrent_verifications_of_one_nonce_let_exactly_one_through()
    {
        var text = (await FreshMessageAsync()).ToText();
        var signature = _wallet.Sign(text);
        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(async _ =>
        {
            using var response = await host.VerifyAsync(text, signature);
            return Pick(await SignInCalls.ReadAsync(response));
        }));
        Assert.Single(answers, a => a.Item1 == HttpStatusCode.OK);
        Assert.All(answers.Where(a => a.Item1 != HttpStatusCode.OK), a => Assert.Equal((HttpStatusCode.Unauthorized, "nonce"), a));
    }
}
