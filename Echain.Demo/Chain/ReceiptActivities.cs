using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

namespace Echain.Demo.Chain;

/// <summary>What CDP delivers for one mined transaction, read from its receipt (the tests' ledger and the benchmark's chain).</summary>
public static class ReceiptActivities
{
    /// <summary>
    /// Each log of <paramref name="receipt"/> the decoder knows, in log order, with the block's time (one
    /// eth_getBlockByNumber) and the transaction's sender and recipient.
    /// </summary>
    public static async Task<IReadOnlyList<CdpActivity>> DecodeAsync(this ActivityDecoder decoder, IWeb3 reader, TransactionReceipt receipt)
    {
        var time = await reader.BlockTimeAsync(receipt.BlockNumber);
        return receipt.Logs.Select(log => decoder.Decode(log, time, receipt.From, receipt.To)).OfType<CdpActivity>().ToArray();
    }
}
