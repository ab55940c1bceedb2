using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Echain.Core.Auth;
using Nethereum.Signer;
using Nethereum.Util;

namespace Echain.Tests.Infrastructure;

/// <summary>An externally owned account's key that signs EIP-4361 messages as a wallet's personal_sign does.</summary>
public sealed class SignInWallet
{
    private static readonly EthereumMessageSigner Signer = new();
    private readonly EthECKey _key = EthECKey.GenerateKey();

    /// <summary>EIP-55 form, as a wallet writes it into the message.</summary>
    public string Address => new AddressUtil().ConvertToChecksumAddress(_key.GetPublicAddress());

    /// <summary>How the API names the wallet (userId, SignalR user).</summary>
    public string UserId => Address.ToLowerInvariant();

    /// <summary>A message the service accepts for <paramref name="origin"/> on <paramref name="chainId"/>, issued now.</summary>
    public SiweMessage Message(Uri origin, long chainId, string nonce) => new(
        Scheme: null, Domain: origin.Authority, Address: Address, Statement: SignInOptions.DefaultStatement,
        Uri: origin.GetLeftPart(UriPartial.Authority) + "/", Version: "1", ChainId: chainId, Nonce: nonce,
        IssuedAt: DateTimeOffset.UtcNow, ExpirationTime: DateTimeOffset.UtcNow.AddMinutes(10));

    /// <summary>personal_sign (EIP-191) of the UTF-8 text: 0x + 65 bytes hex.</summary>
    public string Sign(string text) => Signer.EncodeUTF8AndSign(text, _key);
}

/// <summary>The two sign-in calls as a frontend makes them.</summary>
public static class SignInCalls
{
    public static async Task<string> NonceAsync(this EchainTestHost host)
    {
        using var response = await host.GetAsync("api/auth/nonce");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("nonce").GetString()!;
    }

    public static Task<HttpResponseMessage> VerifyAsync(this EchainTestHost host, string message, string signature) =>
        host.Http.PostAsJsonAsync(host.Url("api/auth/verify"), new { message, signature });

    /// <summary>The answer's status, and its problem's field (null for a success or a problem without one).</summary>
    public static async Task<(HttpStatusCode Status, string? Field, JsonElement Body)> ReadAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (response.IsSuccessStatusCode) return (response.StatusCode, null, body);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, body.TryGetProperty("field", out var field) ? field.GetString() : null, body);
    }
}
