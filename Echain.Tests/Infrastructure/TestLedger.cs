using System.Collections;
using System.Numerics;
using System.Security.Cryptography;
using Echain.Demo.Chain;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

namespace Echain.Tests.Infrastructure;

/// <summary>
/// Real transactions on a private anvil, through <see cref="EchainWallet"/>, each returned with the deliveries a CDP
/// subscription on both Echain contracts would send for it: the receipt's logs decoded with the contracts' ABI,
/// the block's time, the transaction's sender and recipient. Ids are the contract's, hashes and log indices the
/// node's. Every actor is a fresh funded account, so concurrent tests never share a nonce.
/// </summary>
public sealed class TestLedger
{
    public const string Network = "base-sepolia";

    private readonly AnvilServer _anvil;
    private readonly Web3 _reader;
    private readonly ActivityDecoder _decoder;

    private TestLedger(AnvilServer anvil, EchainDeployment deployment)
    {
        _anvil = anvil;
        _reader = anvil.Reader();
        Deployment = deployment;
        State = new ChainState(_reader, deployment);
        _decoder = ActivityDecoder.For(Network, deployment);
    }

    /// <summary>
    /// The node's deterministic local deployment (<see cref="EchainDeployment.Local"/>): deployed on a fresh node, reused
    /// on one that has it, so every test node has the same addresses and one ledger's deliveries fit any test host.
    /// </summary>
    public static async Task<TestLedger> CreateAsync(AnvilServer anvil) =>
        new(anvil, await EchainDeployment.EnsureLocalAsync(anvil.RpcUrl));

    public EchainDeployment Deployment { get; }

    /// <summary>The contracts' own answers: what the API's reads must equal.</summary>
    public ChainState State { get; }

    /// <summary>An address no key on this node signs for (a stranger, a wallet that never transacted).</summary>
    public static string RandomAddress() => "0x" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

    /// <summary>The node's newest block.</summary>
    public async Task<long> HeadAsync() => (long)(await _reader.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;

    /// <summary>A new account with ETH for gas and no USDC: an organizer, a fan, a payer.</summary>
    public Task<EchainWallet> NewWalletAsync() => _anvil.WalletAsync(Deployment);

    public async Task<CreatedEvent> CreateEventAsync(EchainWallet organizer, string title, string description,
        DateTimeOffset start, DateTimeOffset end, BigInteger maxTickets, BigInteger ticketPrice)
    {
        var (receipt, eventId) = await organizer.CreateEventAsync(title, description, start, end, maxTickets, ticketPrice);
        return new CreatedEvent(eventId, await MinedAsync(receipt));
    }

    public async Task<MinedTransaction> UpdateEventAsync(EchainWallet organizer, BigInteger eventId, string title, string description,
        DateTimeOffset start, DateTimeOffset end, BigInteger ticketPrice) =>
        await MinedAsync(await organizer.UpdateEventAsync(eventId, title, description, start, end, ticketPrice));

    /// <summary>
    /// The organizer points the event's tokenURI at <paramref name="baseUri"/>: TicketBaseURIUpdated, then (tickets sold)
    /// BatchMetadataUpdate; Echain acknowledges both without projecting them.
    /// </summary>
    public async Task<MinedTransaction> SetTicketBaseUriAsync(EchainWallet organizer, BigInteger eventId, string baseUri) =>
        await MinedAsync(await organizer.SetTicketBaseUriAsync(eventId, baseUri));

    /// <summary>TestUsdc minted to the wallet (a Transfer from the zero address), as if bought on an exchange.</summary>
    public async Task<MinedTransaction> FundAsync(EchainWallet wallet, BigInteger amount) =>
        await MinedAsync(await wallet.MintUsdcAsync(wallet.Address, amount));

    public async Task<MinedTransaction> PayUsdcAsync(EchainWallet payer, string to, BigInteger amount) =>
        await MinedAsync(await payer.PayUsdcAsync(to, amount));

    /// <summary>
    /// A purchase as a fan makes it: mint what the wallet lacks of the price, approve the ticket contract, purchaseTicket.
    /// <see cref="TicketPurchase.Purchase"/> holds the purchase's own logs: USDC to the organizer, the mint, TicketPurchased.
    /// </summary>
    public async Task<TicketPurchase> BuyAsync(EchainWallet buyer, BigInteger eventId, string ticketType)
    {
        var price = (await State.EventAsync(eventId)).TicketPrice;
        var funding = new List<MinedTransaction>();
        if (price > 0)
        {
            var shortfall = price - await State.UsdcBalanceAsync(buyer.Address);
            if (shortfall > 0) funding.Add(await FundAsync(buyer, shortfall));
            funding.Add(await MinedAsync(await buyer.ApproveTicketsAsync(price)));
        }
        var (receipt, tokenId) = await buyer.PurchaseAsync(eventId, ticketType);
        return new TicketPurchase(tokenId, price, funding, await MinedAsync(receipt));
    }

    /// <summary>A resale settled off-contract: the buyer pays the seller in USDC, then the seller transfers the ticket.</summary>
    public async Task<Resale> ResellAsync(EchainWallet seller, EchainWallet buyer, BigInteger tokenId, BigInteger price)
    {
        var payment = await PayUsdcAsync(buyer, seller.Address, price);
        var transfer = await MinedAsync(await seller.TransferTicketAsync(buyer.Address, tokenId));
        return new Resale(payment, transfer);
    }

    /// <summary>The organizer marks the ticket used at the door: TicketUsed, then ERC-4906's MetadataUpdate.</summary>
    public async Task<MinedTransaction> CheckInAsync(EchainWallet organizer, BigInteger tokenId) =>
        await MinedAsync(await organizer.UseTicketAsync(tokenId));

    private async Task<MinedTransaction> MinedAsync(TransactionReceipt receipt) =>
        new(receipt.TransactionHash, (long)receipt.BlockNumber.Value, await _decoder.DecodeAsync(_reader, receipt));
}

/// <summary>One mined transaction and what CDP delivers for it, one activity per log in log order.</summary>
public sealed record MinedTransaction(string Hash, long BlockNumber, IReadOnlyList<CdpActivity> Deliveries) : IReadOnlyList<CdpActivity>
{
    public int Count => Deliveries.Count;
    public CdpActivity this[int index] => Deliveries[index];
    public IEnumerator<CdpActivity> GetEnumerator() => Deliveries.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

public sealed record CreatedEvent(BigInteger EventId, MinedTransaction Transaction)
{
    public IReadOnlyList<CdpActivity> Deliveries => Transaction.Deliveries;
}

/// <summary>A purchase and the transactions that funded it (mint of the shortfall, approval), in chain order.</summary>
public sealed record TicketPurchase(BigInteger TokenId, BigInteger Price, IReadOnlyList<MinedTransaction> Funding, MinedTransaction Purchase)
{
    public IReadOnlyList<CdpActivity> Deliveries => [.. Funding.SelectMany(t => t), .. Purchase];
}

public sealed record Resale(MinedTransaction Payment, MinedTransaction Transfer)
{
    public IReadOnlyList<CdpActivity> Deliveries => [.. Payment, .. Transfer];
}
