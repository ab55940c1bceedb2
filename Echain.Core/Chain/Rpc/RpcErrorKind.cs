namespace Echain.Core.Chain.Rpc;

/// <summary>What a node's refusal means for the caller.</summary>
public enum RpcErrorKind
{
    /// <summary>The node failed or answered with an error that says nothing about load or range: ask the next node.</summary>
    Other,
    /// <summary>The provider throttles this client (HTTP 429, a quota or throughput error): pause the node, ask the next.</summary>
    RateLimited,
    /// <summary>The node refuses an eth_getLogs range as too many blocks or results: ask again with a smaller range.</summary>
    RangeRefused,
    /// <summary>eth_call ran and the contract reverted or halted: the node's answer about the contract, not the node's failure.</summary>
    Reverted,
}

/// <summary>
/// Sorts a node's error by HTTP status, JSON-RPC code and message. Providers word these differently and reuse codes
/// (-32005 is both Infura's "too many results" and its rate limit), so the message decides where the code cannot.
/// </summary>
public static class RpcErrorClassifier
{
    public static RpcErrorKind Classify(int? httpStatus, int? rpcCode, string? message)
    {
        var text = (message ?? "").ToLowerInvariant();
        if (rpcCode is 3 || IsExecutionFailure(text)) return RpcErrorKind.Reverted;
        if (httpStatus == 413 || IsRangeRefusal(text)) return RpcErrorKind.RangeRefused;
        if (httpStatus == 429 || rpcCode is -32029 || IsRateLimit(text)
            || (rpcCode is -32005 && (text.Contains("rate") || text.Contains("limit"))))
            return RpcErrorKind.RateLimited;
        return RpcErrorKind.Other;
    }

    private static bool IsRangeRefusal(string text) =>
        (text.Contains("range") && ContainsAny(text, "limit", "up to", "exceed", "too large", "too wide", "larger than", "greater than", "max"))
        || (text.Contains("more than") && text.Contains("results"))
        || text.Contains("response size")
        || text.Contains("query timeout exceeded"); // geth gave up on a range too costly to scan

    // geth and anvil answer a revert with code 3 ("execution reverted" with revert data), others with the text; a halt
    // (invalid opcode, out of gas) comes as anvil's -32603 "EVM error …" or geth's -32000 with the EVM's words.
    private static bool IsExecutionFailure(string text) =>
        text.StartsWith("execution reverted", StringComparison.Ordinal) || text.StartsWith("evm error", StringComparison.Ordinal)
        || ContainsAny(text, "invalid opcode", "out of gas", "invalid jump destination", "stack underflow", "stack overflow");

    private static bool IsRateLimit(string text) =>
        ContainsAny(text, "rate limit", "too many requests", "request rate", "per second", "/sec")
        || (text.Contains("exceeded") && ContainsAny(text, "capacity", "compute units", "quota", "throughput"));

    private static bool ContainsAny(string text, params string[] parts) => parts.Any(text.Contains);
}
