using Echain.Core.Webhooks;
using static Echain.Tests.Webhooks.WebhookTestData;

namespace Echain.Tests.Webhooks;

public sealed class CoinbaseSignatureTests
{
    private static (Dictionary<string, string> Headers, byte[] Body, FixedClock Clock) Request(SignatureVector v)
    {
        var headers = Headers(v.Headers);
        headers[CoinbaseSignature.HeaderName] = v.SignatureHeader;
        return (headers, Utf8(v.Body), FixedClock.AtUnix(v.Timestamp + 10));
    }

    [Theory]
    [MemberData(nameof(WebhookTestData.VectorNames), MemberType = typeof(WebhookTestData))]
    public void Every_vector_verifies_with_v1(string name)
    {
        var v = Vector(name);
        var (headers, body, clock) = Request(v);

        var check = Verifier(clock, null, v.Secret).Verify(headers, body);

        Assert.True(check.IsValid, check.Detail);
        Assert.Equal("v1", check.Scheme);
    }

    [Theory]
    [MemberData(nameof(WebhookTestData.VectorNames), MemberType = typeof(WebhookTestData))]
    public void Sign_reproduces_every_vector(string name)
    {
        var v = Vector(name);
        var signed = CoinbaseSignature.Sign(v.Secret, v.Timestamp, v.Headers.ToList(), Utf8(v.Body));
        Assert.Equal(v.SignatureHeader, signed);
    }

    [Fact]
    public void Tampered_body_is_a_mismatch()
    {
        var v = Vectors[0];
        var (headers, body, clock) = Request(v);
        body[^2] ^= 1;

        var check = Verifier(clock, null, v.Secret).Verify(headers, body);

        Assert.Equal(SignatureFailure.Mismatch, check.Failure);
    }

    [Fact]
    public void Tampered_signed_header_value_is_a_mismatch()
    {
        var v = Vectors[0];
        var (headers, body, clock) = Request(v);
        headers["x-event-id"] = "another-id";

        Assert.Equal(SignatureFailure.Mismatch, Verifier(clock, null, v.Secret).Verify(headers, body).Failure);
    }

    [Fact]
    public void Wrong_secret_is_a_mismatch()
    {
        var v = Vectors[0];
        var (headers, body, clock) = Request(v);

        var check = Verifier(clock, null, "not-the-secret").Verify(headers, body);

        Assert.Equal(SignatureFailure.Mismatch, check.Failure);
        Assert.Contains("does not match", check.Detail);
    }

    [Fact]
    public void Rotated_secret_list_accepts_when_the_second_secret_matches()
    {
        var v = Vectors[0];
        var (headers, body, clock) = Request(v);

        Assert.True(Verifier(clock, null, "the-new-secret", v.Secret).Verify(headers, body).IsValid);
    }

    [Fact]
    public void No_secrets_configured_is_rejected()
    {
        var v = Vectors[0];
        var (headers, body, clock) = Request(v);

        Assert.Equal(SignatureFailure.NoSecretsConfigured, Verifier(clock).Verify(headers, body).Failure);
    }

    [Theory]
    [InlineData(300, true)]
    [InlineData(301, false)]
    public void Stale_timestamp_is_rejected_beyond_the_tolerance(int age, bool valid)
    {
        var v = Vectors[0];
        var (headers, body, _) = Request(v);

        var check = Verifier(FixedClock.AtUnix(v.Timestamp + age), null, v.Secret).Verify(headers, body);

        Assert.Equal(valid, check.IsValid);
        if (!valid) Assert.Equal(SignatureFailure.StaleTimestamp, check.Failure);
    }

    [Theory]
    [InlineData(300, true)]
    [InlineData(301, false)]
    public void Future_timestamp_is_rejected_beyond_the_tolerance(int ahead, bool valid)
    {
        var v = Vectors[0];
        var (headers, body, _) = Request(v);

        var check = Verifier(FixedClock.AtUnix(v.Timestamp - ahead), null, v.Secret).Verify(headers, body);

        Assert.Equal(valid, check.IsValid);
        if (!valid) Assert.Equal(SignatureFailure.FutureTimestamp, check.Failure);
    }

    [Fact]
    public void Missing_header_is_rejected()
    {
        var v = Vectors[0];
        var check = Verifier(FixedClock.AtUnix(v.Timestamp), null, v.Secret).Verify(Headers(v.Headers), Utf8(v.Body));
        Assert.Equal(SignatureFailure.MissingHeader, check.Failure);
        Assert.Contains("X-Hook0-Signature", check.Detail);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("v1=abc")]
    [InlineData("t=notanumber,h=content-type,v1=950d0cb82da390c9b31ebf7145d5400509a0b88ab897204207aaaca24ffd6bc8")]
    [InlineData("t=1779225730,h=content-type,v1=zz")]
    [InlineData("t=1779225730,v1=950d0cb82da390c9b31ebf7145d5400509a0b88ab897204207aaaca24ffd6bc8")]
    [InlineData("")]
    public void Malformed_header_is_rejected(string header)
    {
        var v = Vectors[0];
        var headers = Headers(v.Headers);
        headers[CoinbaseSignature.HeaderName] = header;

        var check = Verifier(FixedClock.AtUnix(v.Timestamp), null, v.Secret).Verify(headers, Utf8(v.Body));

        Assert.Equal(SignatureFailure.MalformedHeader, check.Failure);
    }

    [Fact]
    public void Signed_header_absent_from_the_request_is_rejected()
    {
        var v = Vectors[0];
        var (headers, body, clock) = Request(v);
        headers.Remove("x-event-type");

        var check = Verifier(clock, null, v.Secret).Verify(headers, body);

        Assert.Equal(SignatureFailure.SignedHeaderMissing, check.Failure);
        Assert.Contains("x-event-type", check.Detail);
    }

    private static Dictionary<string, string> V0Only(SignatureVector v, out byte[] body)
    {
        var headers = Headers(v.Headers);
        var v0 = v.SignatureHeader.Split(',').Single(p => p.StartsWith("v0="));
        headers[CoinbaseSignature.HeaderName] = $"t={v.Timestamp},{v0}";
        body = Utf8(v.Body);
        return headers;
    }

    [Fact]
    public void V0_only_is_rejected_unless_allowed()
    {
        var v = Vectors[0];
        var headers = V0Only(v, out var body);

        var check = Verifier(FixedClock.AtUnix(v.Timestamp), null, v.Secret).Verify(headers, body);

        Assert.Equal(SignatureFailure.V1MissingAndV0NotAllowed, check.Failure);
    }

    [Theory]
    [MemberData(nameof(WebhookTestData.VectorNames), MemberType = typeof(WebhookTestData))]
    public void V0_only_verifies_when_allowed(string name)
    {
        var v = Vector(name);
        var headers = V0Only(v, out var body);

        var check = Verifier(FixedClock.AtUnix(v.Timestamp), o => o.AllowV0Signature = true, v.Secret).Verify(headers, body);

        Assert.True(check.IsValid, check.Detail);
        Assert.Equal("v0", check.Scheme);
    }

    [Fact]
    public void V0_allowed_still_prefers_v1()
    {
        var v = Vectors[0];
        var headers = Headers(v.Headers);
        // A correct v0 next to a wrong v1 must not pass: v1 is checked whenever present.
        headers[CoinbaseSignature.HeaderName] = v.SignatureHeader[..^64] + new string('0', 64);

        var check = Verifier(FixedClock.AtUnix(v.Timestamp), o => o.AllowV0Signature = true, v.Secret).Verify(headers, Utf8(v.Body));

        Assert.Equal(SignatureFailure.Mismatch, check.Failure);
    }

    [Fact]
    public void V0_only_with_tampered_body_is_a_mismatch_when_allowed()
    {
        var v = Vectors[0];
        var headers = V0Only(v, out var body);
        body[10] ^= 1;

        var check = Verifier(FixedClock.AtUnix(v.Timestamp), o => o.AllowV0Signature = true, v.Secret).Verify(headers, body);

        Assert.Equal(SignatureFailure.Mismatch, check.Failure);
    }

    [Fact]
    public void Legacy_signature_is_accepted_only_when_enabled()
    {
        var body = Utf8("""{"eventType":"erc20_transfer"}""");
        var headers = Headers([new(CoinbaseSignature.LegacyHeaderName, CoinbaseSignature.SignLegacy("legacy", body))]);
        var clock = FixedClock.AtUnix(1_700_000_000);

        var off = Verifier(clock, null, "legacy").Verify(headers, body);
        var on = Verifier(clock, o => o.AllowLegacySignature = true, "legacy").Verify(headers, body);

        Assert.Equal(SignatureFailure.MissingHeader, off.Failure);
        Assert.True(on.IsValid, on.Detail);
        Assert.Equal("legacy", on.Scheme);
    }

    [Fact]
    public void Legacy_signature_with_tampered_body_is_a_mismatch()
    {
        var body = Utf8("""{"eventType":"erc20_transfer"}""");
        var headers = Headers([new(CoinbaseSignature.LegacyHeaderName, CoinbaseSignature.SignLegacy("legacy", body))]);
        body[3] ^= 1;

        var check = Verifier(FixedClock.AtUnix(0), o => o.AllowLegacySignature = true, "legacy").Verify(headers, body);

        Assert.Equal(SignatureFailure.Mismatch, check.Failure);
    }

    [Fact]
    public void Header_names_are_matched_case_insensitively_even_in_an_ordinal_dictionary()
    {
        var v = Vectors[0];
        var headers = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["X-HOOK0-SIGNATURE"] = v.SignatureHeader,
            ["Content-Type"] = v.Headers["content-type"],
            ["X-Event-Id"] = v.Headers["x-event-id"],
            ["X-Event-Type"] = v.Headers["x-event-type"],
        };

        Assert.True(Verifier(FixedClock.AtUnix(v.Timestamp), null, v.Secret).Verify(headers, Utf8(v.Body)).IsValid);
    }
}
