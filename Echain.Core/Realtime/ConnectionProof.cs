using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace Echain.Core.Realtime;

/// <summary>
/// Proof that a group join or leave comes from the connection's own client: the hub (or, on Azure, the
/// OnConnected function) sends each connection <c>connection-proof {connectionId, proof}</c> over that
/// connection only, and the group endpoints require the proof with the id. proof = base64url(HMAC-SHA256 over
/// the UTF-8 connection id) under a key derived from the auth signing key, so every instance with the same
/// <c>Echain:Auth:SigningKey</c> verifies what any other instance issued.
/// </summary>
public sealed class ConnectionProof
{
    /// <summary>The realtime target the proof is sent as.</summary>
    public const string Target = "connection-proof";

    // A key of its own (derived, one-way) so a proof is never an HMAC a token signature could be confused with.
    private static readonly byte[] Purpose = Encoding.UTF8.GetBytes("echain/connection-proof/v1");
    private readonly byte[] _key;

    public ConnectionProof(byte[] signingKey)
    {
        ArgumentNullException.ThrowIfNull(signingKey);
        _key = HMACSHA256.HashData(signingKey, Purpose);
    }

    public string Create(string connectionId) => Base64Url.EncodeToString(Mac(connectionId));

    /// <summary>Constant-time: how much of a guess matches must not show in the time the check takes.</summary>
    public bool Verify(string connectionId, string proof)
    {
        byte[] given;
        try
        {
            given = Base64Url.DecodeFromChars(proof);
        }
        catch (FormatException)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(Mac(connectionId), given);
    }

    /// <summary>The message payload: <c>{connectionId, proof}</c>, and on the standalone hub the events it joined at negotiate.</summary>
    public ConnectionProofMessage MessageFor(string connectionId, IReadOnlyList<string>? joinedEvents = null) =>
        new(connectionId, Create(connectionId), joinedEvents);

    private byte[] Mac(string connectionId) => HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(connectionId));
}

/// <summary>
/// What <c>connection-proof</c> carries. <paramref name="Events"/>: the event ids the standalone hub added the connection
/// to at negotiate (empty when none were named); absent on the Functions host, which joins only over HTTP.
/// </summary>
public sealed record ConnectionProofMessage(
    string ConnectionId, string Proof,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Events = null);
