using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using Echain.Demo.Chain;

namespace Echain.Bench;

/// <summary>
/// Synthetic CDP deliveries in the exact shape of the Echain contracts' logs, for the load generators: thousands
/// of distinct events per second, more than a node should be asked to mine in a benchmark. The ids, hashes and
/// addresses are invented (block numbers only grow; each call is one made-up transaction), so this proves
/// throughput and latency only; correctness is proven by the test suite on real transactions on a local node.
/// </summary>
public sealed class SyntheticActivity(string ticketContract, string paymentToken, string network = "base-mainnet", long firstBlock = 46_000_000)
{
    public const string Zero = "0x0000000000000000000000000000000000000000";
    private long _block = firstBlock;
    private DateTimeOffset _time = DateTimeOffset.UtcNow;

    public string TicketContract { get; } = ticketContract.ToLowerInvariant();
    public string PaymentToken { get; } = paymentToken.ToLowerInvariant();

    public static string RandomAddress() => "0x" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
    public static string RandomTxHash() => "0x" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public IReadOnlyList<CdpActivity> CreateEvent(BigInteger eventId, string creator, string title, string description,
        DateTimeOffset start, DateTimeOffset end, BigInteger maxTickets, BigInteger ticketPrice) =>
        Transaction(creator, tx => [tx.Log(TicketContract, "EventCreated",
            "EventCreated(uint256,address,string,string,uint64,uint64,uint256,uint256)",
            ("eventId", Dec(eventId)), ("creator", creator), ("title", title), ("description", description),
            ("startTime", Unix(start)), ("endTime", Unix(end)), ("maxTickets", Dec(maxTickets)), ("ticketPrice", Dec(ticketPrice)))]);

    public IReadOnlyList<CdpActivity> UpdateEvent(BigInteger eventId, string creator, string title, string description,
        DateTimeOffset start, DateTimeOffset end, BigInteger ticketPrice) =>
        Transaction(creator, tx => [tx.Log(TicketContract, "EventUpdated",
            "EventUpdated(uint256,string,string,uint64,uint64,uint256)",
            ("eventId", Dec(eventId)), ("title", title), ("description", description),
            ("startTime", Unix(start)), ("endTime", Unix(end)), ("ticketPrice", Dec(ticketPrice)))]);

    /// <summary>A purchase as the contract emits it: USDC to the organizer, the mint, then TicketPurchased.</summary>
    public IReadOnlyList<CdpActivity> BuyTicket(BigInteger eventId, BigInteger tokenId, string buyer, string organizer,
        BigInteger price, string ticketType) =>
        Transaction(buyer, tx => [
            tx.Log(PaymentToken, "Transfer", "Transfer(address,address,uint256)", ("from", buyer), ("to", organizer), ("value", Dec(price))),
            tx.Log(TicketContract, "Transfer", "Transfer(address,address,uint256)", ("from", Zero), ("to", buyer), ("tokenId", Dec(tokenId))),
            tx.Log(TicketContract, "TicketPurchased", "TicketPurchased(uint256,uint256,address,uint256,string)",
                ("eventId", Dec(eventId)), ("tokenId", Dec(tokenId)), ("buyer", buyer), ("price", Dec(price)), ("ticketType", ticketType)),
        ]);

    public IReadOnlyList<CdpActivity> PayUsdc(string from, string to, BigInteger value) =>
        Transaction(from, tx => [tx.Log(PaymentToken, "Transfer", "Transfer(address,address,uint256)", ("from", from), ("to", to), ("value", Dec(value)))]);

    private IReadOnlyList<CdpActivity> Transaction(string sender, Func<TransactionBuilder, CdpActivity[]> logs)
    {
        lock (this)
        {
            _block += 1;
            _time = _time.AddSeconds(2); // Base produces a block every two seconds.
            return logs(new TransactionBuilder(this, sender, _block, _time, RandomTxHash()));
        }
    }

    private sealed class TransactionBuilder(SyntheticActivity chain, string sender, long block, DateTimeOffset time, string txHash)
    {
        private int _logIndex;

        public CdpActivity Log(string contract, string name, string signature, params (string Name, string Value)[] parameters) =>
            new(block, contract, name, signature, _logIndex++, chain._network,
                parameters.ToDictionary(p => p.Name, p => p.Value),
                time.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                sender, txHash, chain.TicketContract);
    }

    private readonly string _network = network;
    private static string Dec(BigInteger value) => value.ToString(CultureInfo.InvariantCulture);
    private static string Unix(DateTimeOffset time) => time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
}
