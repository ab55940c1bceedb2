using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Echain.Functions.Standalone.Realtime;

/// <summary>
/// Which hub token opened each connection of this instance: its transport requests (<c>/hubs/echain?id=…</c>, long
/// polling, SSE, WebSockets) are served only with that same token. SignalR itself checks only that a request's
/// token is valid, not that it is the one that negotiated, so anyone who learned a connection token could
/// otherwise poll the victim's messages with a token of their own. Kept per instance: a connection's transport
/// requests reach the instance that negotiated it (sticky sessions), or the connection is unknown there anyway.
/// </summary>
public sealed class TransportOwners(TimeProvider clock)
{
    /// <summary>A connection negotiated but never started is forgotten after this (SignalR drops it after 15 s).</summary>
    public static readonly TimeSpan UnstartedLifetime = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, Owner> _byConnectionToken = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _tokenByConnectionId = new(StringComparer.Ordinal);
    private long _nextSweepTicks;

    public int Count => _byConnectionToken.Count;

    /// <summary>Records who negotiated: <paramref name="bearer"/> is the hub token the negotiate request carried.</summary>
    public void Negotiated(string connectionToken, string connectionId, string bearer)
    {
        SweepUnstarted();
        _byConnectionToken[connectionToken] = new Owner(Hash(bearer), clock.GetUtcNow());
        _tokenByConnectionId[connectionId] = connectionToken;
    }

    /// <summary>True only for a recorded connection whose negotiating token is <paramref name="bearer"/>.</summary>
    public bool IsOwner(string connectionToken, string? bearer) =>
        bearer is not null
        && _byConnectionToken.TryGetValue(connectionToken, out var owner)
        && CryptographicOperations.FixedTimeEquals(owner.TokenHash, Hash(bearer));

    /// <summary>The hub registered the connection: it is kept until <see cref="Ended"/>.</summary>
    public void Connected(string connectionId)
    {
        if (_tokenByConnectionId.TryGetValue(connectionId, out var token) && _byConnectionToken.TryGetValue(token, out var owner))
            owner.Started = true;
    }

    public void Ended(string connectionId)
    {
        if (_tokenByConnectionId.TryRemove(connectionId, out var token)) _byConnectionToken.TryRemove(token, out _);
    }

    private void SweepUnstarted()
    {
        var now = clock.GetUtcNow();
        var due = Interlocked.Read(ref _nextSweepTicks);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref _nextSweepTicks, (now + TimeSpan.FromMinutes(1)).UtcTicks, due) != due) return;
        foreach (var (connectionId, token) in _tokenByConnectionId)
            if (_byConnectionToken.TryGetValue(token, out var owner) && !owner.Started && now - owner.NegotiatedAt > UnstartedLifetime)
                Ended(connectionId);
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private sealed class Owner(byte[] tokenHash, DateTimeOffset negotiatedAt)
    {
        public byte[] TokenHash { get; } = tokenHash;
        public DateTimeOffset NegotiatedAt { get; } = negotiatedAt;
        public volatile bool Started;
    }
}
