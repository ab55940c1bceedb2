using System.Security.Cryptography;
using Echain.Core.Chain.Rpc;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Echain.Core.Auth;

/// <summary>
/// Single-use sign-in nonces in Redis, shared by every instance: issued with a lifetime, consumed with one
/// GETDEL, so of any number of concurrent verifications of one nonce exactly one finds it.
/// </summary>
public sealed class SignInNonces(IConnectionMultiplexer redis, IOptions<SignInOptions> options)
{
    public const string KeyPrefix = "echain:v1:siwe-nonce:";

    /// <summary>A new nonce: 128 random bits as 32 hex digits (EIP-4361 asks for at least 8 alphanumerics).</summary>
    public async Task<string> IssueAsync()
    {
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        await redis.GetDatabase().StringSetAsync(KeyPrefix + nonce, "1", options.Value.NonceLifetime, When.NotExists);
        return nonce;
    }

    /// <summary>True exactly once per issued, unexpired nonce.</summary>
    public async Task<bool> ConsumeAsync(string nonce) =>
        !(await redis.GetDatabase().StringGetDeleteAsync(KeyPrefix + nonce)).IsNull;
}

/// <summary>
/// The chain id sign-in messages must name: <see cref="SignInOptions.ChainId"/>, else what the configured node
/// answers to eth_chainId (asked once, then remembered: a node never changes chains under the same network).
/// </summary>
public sealed class SignInChain(IOptions<SignInOptions> options, IChainRpc rpc)
{
    // 0 until a node answered (chain ids are positive); a long, so concurrent requests never see half of one.
    private long _answered;

    /// <exception cref="ChainRpcUnavailableException">no chain id is configured and no node answered.</exception>
    public async Task<long> ChainIdAsync(CancellationToken cancellationToken)
    {
        if (options.Value.ChainId is { } configured) return configured;
        if (Interlocked.Read(ref _answered) is var known and > 0) return known;
        var answer = await rpc.ChainIdAsync(cancellationToken);
        Interlocked.Exchange(ref _answered, answer.Value);
        return answer.Value;
    }
}
