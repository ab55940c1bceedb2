using Echain.Core.Chain.Rpc;

namespace Echain.Tests.Chain;

/// <summary>Real providers' refusals, as they answer them, sorted into what the client does next.</summary>
public sealed class RpcErrorClassifierTests
{
    [Theory]
    // Alchemy
    [InlineData(null, -32602, "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no limit on the response size, or you can request any block range with a cap of 10K logs in the response. Based on your parameters and the response size limit, this block range should work: [0x0, 0xd043b8]")]
    [InlineData(400, -32600, "You can make eth_getLogs requests with up to a 500 block range. Based on your parameters, this block range should work: [0x1a30dfd, 0x1a30ff0]")]
    [InlineData(null, -32600, "Under the Free tier plan, you can make eth_getLogs requests with up to a 10 block range.")]
    // Infura: the documented result cap and the live range cap
    [InlineData(null, -32005, "query returned more than 10000 results. Try with this block range [0xBDE5F8, 0x102DBCC].")]
    [InlineData(null, -32602, "range 1000000 exceeds limit of 10000")]
    // QuickNode, Chainstack, the public Base RPC (with and without its HTTP 413)
    [InlineData(null, -32614, "eth_getLogs is limited to a 10,000 range")]
    [InlineData(413, -32614, "eth_getLogs is limited to a 10,000 range")]
    [InlineData(null, -32000, "Block range limit exceeded.")]
    [InlineData(null, -32614, "eth_getLogs is limited to a 10000 block range")]
    [InlineData(413, null, null)]
    // geth gives up on a costly range; Ankr; BSC-style and other geth forks
    [InlineData(null, -32000, "query timeout exceeded")]
    [InlineData(null, -32600, "block range is too wide")]
    [InlineData(null, -32000, "exceed maximum block range: 5000")]
    [InlineData(null, -32000, "block range is larger than max block range, block range = 5120, max block range = 5000")]
    public void A_refused_log_range_is_range_refused(int? status, int? code, string? message) =>
        Assert.Equal(RpcErrorKind.RangeRefused, RpcErrorClassifier.Classify(status, code, message));

    [Theory]
    // Alchemy, in the JSON of its 429 and alone
    [InlineData(429, 429, "Your app has exceeded its compute units per second capacity. If you have retries enabled, you can safely ignore this message.")]
    [InlineData(null, 429, "Your app has exceeded its compute units per second capacity. If you have retries enabled, you can safely ignore this message.")]
    [InlineData(429, null, null)]
    // Infura
    [InlineData(null, -32005, "daily request count exceeded, request rate limited")]
    [InlineData(null, -32005, "project ID request rate exceeded")]
    [InlineData(null, -32005, "limit exceeded")]
    // QuickNode credits, generic gateways
    [InlineData(null, -32012, "credits limited to 6000/sec")]
    [InlineData(null, -32029, "")]
    [InlineData(null, -32000, "Too Many Requests")]
    [InlineData(null, -32090, "Rate limit reached, retry later")]
    public void A_throttled_client_is_rate_limited(int? status, int? code, string? message) =>
        Assert.Equal(RpcErrorKind.RateLimited, RpcErrorClassifier.Classify(status, code, message));

    [Theory]
    // Cloudflare's gateway, a node still syncing, an overloaded balancer, a plain bad request
    [InlineData(null, -32046, "Cannot fulfill request")]
    [InlineData(null, -32000, "header not found")]
    [InlineData(503, null, null)]
    [InlineData(502, null, "<html>Bad Gateway</html>")]
    [InlineData(null, -32602, "invalid argument 0: hex string without 0x prefix")]
    [InlineData(null, null, null)]
    public void Any_other_error_is_other(int? status, int? code, string? message) =>
        Assert.Equal(RpcErrorKind.Other, RpcErrorClassifier.Classify(status, code, message));

    [Theory]
    // code 3 with and without a reason (geth, anvil); other codes with the text, as other clients answer
    [InlineData(null, 3, "execution reverted")]
    [InlineData(null, 3, "execution reverted: RevertingWallet: no signature is valid")]
    [InlineData(null, 3, "execution reverted, data: \"0x0c5b3ed2\"")]
    [InlineData(null, -32000, "execution reverted")]
    [InlineData(null, -32015, "Execution reverted")]
    // halts: anvil, geth
    [InlineData(null, -32603, "EVM error InvalidFEOpcode")]
    [InlineData(null, -32603, "EVM error OutOfGas")]
    [InlineData(null, -32000, "invalid opcode: INVALID")]
    [InlineData(null, -32000, "out of gas")]
    [InlineData(null, -32000, "invalid jump destination")]
    public void A_contract_revert_or_halt_is_reverted(int? status, int? code, string? message) =>
        Assert.Equal(RpcErrorKind.Reverted, RpcErrorClassifier.Classify(status, code, message));
}
