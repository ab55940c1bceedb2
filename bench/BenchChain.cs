using System.Numerics;
using Echain.Demo.Chain;
using Echain.LocalServices;
using Nethereum.Web3;

namespace Echain.Bench;

/// <summary>
/// A private anvil (one block per transaction) with the Echain contracts at their deterministic local addresses,
/// which the app is configured with: the freshness scenario's changes are real transactions, delivered as CDP
/// would deliver their logs. The high-rate scenarios stay synthetic (<see cref="SyntheticActivity"/>) on the same
/// contract addresses, with event ids far above the few the chain assigns.
/// </summary>
public sealed partial class BenchChain : IDisposable
{
    public const string Network = "base-sepolia";

    private readonly AnvilInstance _node;
    private readonly Web3 _reader;
    private readonly EchainWallet _organizer;
    private readonly ActivityDecoder _decoder = ActivityDecoder.For(Network, EchainDeployment.Local);

    private BenchChain(AnvilInstance node)
    {
        _node = node;
        _reader = ChainClients.Reader(node.RpcUrl);
        // The deployer (account 0) is done after deploying; the organizer is the next default account.
        _organizer = new EchainWallet(ChainClients.Web3(node.RpcUrl, AnvilAccounts.PrivateKeys[1]), EchainDeployment.Local);
    }

    public static async Task<BenchChain> StartAsync()
    {
        var node = new AnvilInstance();
        try
        {
            await EchainDeployment.EnsureLocalAsync(node.RpcUrl);
            return new BenchChain(node);
        }
        catch
        {
            node.Dispose();
            throw;
        }
    }

    public async Task<(BigInteger EventId, IReadOnlyList<CdpActivity> Deliveries)> CreateEventAsync(string title, string description,
        DateTimeOffset start, DateTimeOffset end, BigInteger maxTickets, BigInteger ticketPrice)
    {
        var (receipt, eventId) = await _organizer.CreateEventAsync(title, description, start, end, maxTickets, ticketPrice);
        return (eventId, await _decoder.DecodeAsync(_reader, receipt));
    }

    public async Task<IReadOnlyList<CdpActivity>> UpdateEventAsync(BigInteger eventId, string title, string description,
        DateTimeOffset start, DateTimeOffset end, BigInteger ticketPrice) =>
        await _decoder.DecodeAsync(_reader, await _organizer.UpdateEventAsync(eventId, title, description, start, end, ticketPrice));

    public Uri RpcUrl => _node.RpcUrl;

    public void Dispose() => _node.Dispose();
}
