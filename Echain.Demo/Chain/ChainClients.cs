using Nethereum.Web3;
using Nethereum.Web3.Accounts;
using Echain.LocalServices;

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
}
