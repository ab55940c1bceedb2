using Echain.Core.Realtime;

namespace Echain.Tests.Realtime;

/// <summary>
/// The rule both hosts apply before handing out a connection (the end-to-end tests prove each host applies it):
/// a user id only from a verified token, never from the client's say-so.
/// </summary>
public sealed class NegotiateGateTests
{
    private const string Wallet = "0x7052e7a71837b3bbded491ae281dad6543ca6d5e";

    private static Task<(bool, string?)> Negotiators(string token) => Task.FromResult(token switch
    {
        "user-token" => (true, (string?)Wallet),
        "anonymous-connection-token" => (true, (string?)null),
        _ => (false, (string?)null),
    });

    [Theory]
    [InlineData(null, null)]
    [InlineData("Basic dXNlcjpwYXNz", null)]
    [InlineData("Bearer user-token", Wallet)]
    [InlineData("Bearer anonymous-connection-token", null)]
    public async Task Both_hosts_take_the_user_id_only_from_a_valid_token(string? authorization, string? expectedUser)
    {
        var (problem, userId) = await NegotiateGate.ResolveAsync(authorization, Negotiators);
        Assert.Null(problem);
        Assert.Equal(expectedUser, userId);
    }

    [Fact]
    public async Task Both_hosts_refuse_an_invalid_bearer_instead_of_connecting_anonymously()
    {
        var (problem, userId) = await NegotiateGate.ResolveAsync("Bearer forged", Negotiators);
        Assert.Equal(401, problem?.Status);
        Assert.Null(userId);
    }

    private static readonly ConnectionProof Proofs = new(System.Text.Encoding.UTF8.GetBytes("test-signing-key-0123456789abcdef0123456789"));

    [Theory]
    [InlineData("42", "abc", true, null, "event-42")]
    [InlineData("0x2a", "abc", true, null, "event-42")]
    [InlineData("forty-two", "abc", true, "eventId", "")]
    [InlineData("42", " ", true, "connectionId", "")]
    [InlineData("42", null, true, "connectionId", "")]
    [InlineData("42", "abc", false, "proof", "")]
    public void Group_changes_name_the_canonical_group_or_the_bad_field(string eventId, string? connectionId, bool withProof, string? badField, string group)
    {
        var body = new GroupMembership(connectionId, withProof && connectionId is not null ? Proofs.Create(connectionId) : null);
        var problem = EventGroupChange.Check(eventId, body, Proofs, out var name);
        Assert.Equal(badField, problem?.Extensions?["field"]);
        if (badField is not null) Assert.Equal(400, problem?.Status);
        Assert.Equal(group, name);
    }

    [Fact]
    public void A_proof_for_another_connection_or_under_another_key_is_403()
    {
        var otherKey = new ConnectionProof(new byte[32]);
        foreach (var proof in new[] { Proofs.Create("victim-2"), otherKey.Create("victim"), "not base64url!", Proofs.Create("victim")[..^2] })
        {
            var problem = EventGroupChange.Check("42", new GroupMembership("victim", proof), Proofs, out var name);
            Assert.Equal(403, problem?.Status);
            Assert.Equal("", name);
        }
        // Another instance with the same signing key verifies it.
        var sameKey = new ConnectionProof(System.Text.Encoding.UTF8.GetBytes("test-signing-key-0123456789abcdef0123456789"));
        Assert.Null(EventGroupChange.Check("42", new GroupMembership("victim", Proofs.Create("victim")), sameKey, out _));
    }
}
