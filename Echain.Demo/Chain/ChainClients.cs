using Echain.LocalServices;
using Nethereum.Hex.HexTypes;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;

namespace Echain.Demo.Chain;

/// <summary>Nethereum clients for a local node: one signer per private key, chain id 84532.</summary>
public static class ChainClients
{
    /// <summary>A web3 that signs with <paramref name="privateKey"/>; receipts are polled every 100 ms (blocks come every second or per transaction).</summary>
    public static Web3 Web3(Uri rpcUrl, string privateKey)
    {
        var web3 = new Web3(new Account(privateKey, AnvilOptions.ChainId), rpcUrl.ToString());
        web3.TransactionManager.UseLegacyAsDefault = false;
        web3.TransactionReceiptPolling.SetPollingRetryIntervalInMilliseconds(100);
        return web3;
    }

    /// <summary>A read-only web3 (calls, logs, blocks).</summary>
    public static Web3 Reader(Uri rpcUrl) => new(rpcUrl.ToString());

    /// <summary>A block's timestamp (whole seconds): the time CDP reports for each of its logs.</summary>
    public static async Task<DateTimeOffset> BlockTimeAsync(this IWeb3 web3, HexBigInteger number)
    {
        var block = await web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(number)
            ?? throw new InvalidOperationException($"The node does not know block {number.Value}.");
        return DateTimeOffset.FromUnixTimeSeconds((long)block.Timestamp.Value);
    }
}
