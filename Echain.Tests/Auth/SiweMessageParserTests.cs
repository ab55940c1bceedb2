using Echain.Core.Auth;

namespace Echain.Tests.Auth;

/// <summary>The EIP-4361 grammar, field by field, including the optional ones the end-to-end tests do not send.</summary>
public sealed class SiweMessageParserTests
{
    // The EIP's own example message (with every optional field), as its text.
    private const string Full = """
        https://example.com wants you to sign in with your Ethereum account:
        0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2

        I accept the ExampleOrg Terms of Service: https://example.com/tos

        URI: https://example.com/login
        Version: 1
        Chain ID: 1
        Nonce: 32891756
        Issued At: 2021-09-30T16:25:24Z
        Expiration Time: 2021-10-30T16:25:24.000Z
        Not Before: 2021-09-30T16:25:24+02:00
        Request ID: some-request-id_1
        Resources:
        - ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/
        - https://example.com/my-web2-claim.json
        """;

    [Fact]
    public void Every_field_of_the_eips_example_is_read()
    {
        Assert.True(SiweMessageParser.TryParse(Full.ReplaceLineEndings("\n"), out var message, out var error), error?.Detail);
        Assert.Equal("https", message!.Scheme);
        Assert.Equal("example.com", message.Domain);
        Assert.Equal("0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2", message.Address);
        Assert.Equal("I accept the ExampleOrg Terms of Service: https://example.com/tos", message.Statement);
        Assert.Equal(("https://example.com/login", "1", 1L, "32891756"), (message.Uri, message.Version, message.ChainId, message.Nonce));
        Assert.Equal(DateTimeOffset.Parse("2021-09-30T16:25:24Z"), message.IssuedAt);
        Assert.Equal(DateTimeOffset.Parse("2021-10-30T16:25:24Z"), message.ExpirationTime);
        Assert.Equal(DateTimeOffset.Parse("2021-09-30T14:25:24Z"), message.NotBefore);
        Assert.Equal("some-request-id_1", message.RequestId);
        Assert.Equal(["ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/", "https://example.com/my-web2-claim.json"], message.Resources!);
    }

    [Fact]
    public void What_ToText_writes_parses_back_to_the_same_message_also_without_a_statement()
    {
        var written = new SiweMessage(null, "localhost:7071", "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2", null,
            "http://localhost:7071/", "1", 84532, "abcdef0123456789", new DateTimeOffset(2026, 12, 1, 15, 0, 0, TimeSpan.Zero),
            RequestId: "r1", Resources: ["https://example.com/a"]);
        Assert.Contains("0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2\n\n\nURI: ", written.ToText());
        Assert.True(SiweMessageParser.TryParse(written.ToText(), out var read, out var error), error?.Detail);
        Assert.Equal(written with { Resources = null }, read! with { Resources = null });
        Assert.Equal(written.Resources, read.Resources);
    }

    [Theory]
    [InlineData("Version: 1", "Version: 1\nVersion: 1", "chainId")]        // a repeated field: Chain ID was due
    [InlineData("Chain ID: 1", "Chain ID: 99999999999999999999", "chainId")] // beyond 64 bits
    [InlineData("Nonce: 32891756", "Nonce: 3289-1756", "nonce")]
    [InlineData("Issued At: 2021-09-30T16:25:24Z", "Issued At: 2021-09-30 16:25:24Z", "issuedAt")]
    [InlineData("Not Before: 2021-09-30T16:25:24+02:00", "Not Before: 2021-09-30T16:25", "notBefore")]
    [InlineData("Request ID: some-request-id_1", "Request ID: two words", "requestId")]
    [InlineData("- https://example.com/my-web2-claim.json", "- not a uri", "resources")]
    [InlineData("URI: https://example.com/login", "URI: /login", "uri")]
    [InlineData("https://example.com wants", "https://exa mple.com wants", "domain")]
    [InlineData("https://example.com wants", "1https://example.com wants", "scheme")]
    [InlineData("URI: https://example.com/login\nVersion: 1", "Version: 1\nURI: https://example.com/login", "uri")] // out of order
    public void A_broken_field_is_named(string original, string replacement, string field)
    {
        var text = Full.ReplaceLineEndings("\n");
        Assert.Contains(original, text);
        Assert.False(SiweMessageParser.TryParse(text.Replace(original, replacement), out _, out var error));
        Assert.Equal(field, error!.Field);
    }
}
