using System.Numerics;
using Echain.Demo.Chain;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

namespace Echain.Demo.Feed;

/// <summary>
/// The demo's story, as real transactions from anvil's default accounts: an organizer creates an event and
/// points its tickets' tokenURI at the app's metadata, fans are funded with test USDC, buy, resell (transferFrom + a USDC payment) and are checked in; the
/// organizer pays fans out now and then. A fan who was never funded tries to buy and the contract
/// refuses: on a real chain nobody spends money they do not have.
/// </summary>
public sealed class DemoFeed(FeedOptions options)
{
    private const long Usdc = 1_000_000; // 6 decimals
    private static readonly BigInteger TicketPrice = 25 * Usdc;
    private static readonly BigInteger ResalePrice = 30 * Usdc;

    private readonly Web3 _reader = ChainClients.Reader(options.Rpc);
    private readonly EchainWallet _organizer = Wallet(1, options);
    private readonly EchainWallet[] _fans = [.. Enumerable.Range(2, 5).Select(i => Wallet(i, options))];
    private readonly EchainWallet _unfunded = Wallet(7, options);
    private readonly Dictionary<BigInteger, EchainWallet> _owners = [];
    private BigInteger? _lastTicket;

    public async Task RunAsync(CancellationToken ct)
    {
        using var http = new HttpClient();
        var state = new ChainState(_reader, options.Deployment);
        await FundAsync(state, ct);
        var eventId = await NewEventAsync(ct);
        await using var view = new LiveView(options.Api, _fans[0].Address, http);
        await view.StartAsync(eventId.ToString(), ct);
        Console.WriteLine($"[feed] event {eventId}: page {options.Api}events/{eventId}, wallet page {options.Api}wallets/{_fans[0].Address}");
        var chainStatus = new ChainStatusLine(options.Api, http);

        for (var n = 1; options.Count == 0 || n <= options.Count; n++)
        {
            var buyer = n % 7 == 0 ? _unfunded : _fans[Random.Shared.Next(_fans.Length)];
            await TryAsync($"{buyer.Address} buys a ticket", async () =>
            {
                var (receipt, tokenId) = await buyer.PurchaseAsync(eventId, n % 5 == 0 ? "VIP" : "General", ct);
                view.MarkMined(tokenId.ToString(), await MinedAsync(receipt));
                _owners[tokenId] = buyer;
                _lastTicket = tokenId;
                Console.WriteLine($"[feed] block {receipt.BlockNumber.Value}: ticket {tokenId} bought by {buyer.Address}");
            });
            if (await state.EventAsync(eventId) is var sold && sold.Sold >= sold.MaxTickets)
            {
                eventId = await NewEventAsync(ct);
                await view.WatchAsync(eventId.ToString(), ct);
            }

            if (n % 3 == 0 && _owners.Count > 0)
                await ResellAsync(ct);
            if (n % 4 == 0 && _lastTicket is { } last && !await state.IsUsedAsync(last))
                await TryAsync($"check-in of ticket {last}", async () =>
                {
                    var receipt = await _organizer.UseTicketAsync(last, ct);
                    Console.WriteLine($"[feed] block {receipt.BlockNumber.Value}: ticket {last} checked in");
                });
            if (n % 10 == 0)
                await PayOutAsync(_fans[Random.Shared.Next(_fans.Length)], 50 * Usdc, ct);
            await chainStatus.PrintIfDueAsync(ct);
            await Task.Delay(options.Interval, ct);
        }
        await Task.Delay(TimeSpan.FromSeconds(2), ct); // let the last messages arrive before closing the view
    }

    /// <summary>Fans below 100 USDC get 500 minted (TestUsdc's open mint); every wallet lets the ticket contract take payments.</summary>
    private async Task FundAsync(ChainState state, CancellationToken ct)
    {
        foreach (var fan in _fans)
            if (await state.UsdcBalanceAsync(fan.Address) < 100 * Usdc)
            {
                var receipt = await _organizer.MintUsdcAsync(fan.Address, 500 * Usdc, ct);
                Console.WriteLine($"[feed] block {receipt.BlockNumber.Value}: minted 500 USDC to {fan.Address}");
            }
        foreach (var wallet in _fans.Append(_unfunded))
            await wallet.ApproveTicketsAsync(1_000_000 * Usdc, ct);
    }

    private async Task<BigInteger> NewEventAsync(CancellationToken ct)
    {
        var start = DateTimeOffset.UtcNow.Date.AddDays(30).AddHours(19);
        var (receipt, eventId) = await _organizer.CreateEventAsync("Base Camp Live", "An evening of onchain music",
            start, start.AddHours(4), maxTickets: 500, TicketPrice, ct);
        Console.WriteLine($"[feed] block {receipt.BlockNumber.Value}: event {eventId} created by {_organizer.Address}");
        var based = await _organizer.SetTicketBaseUriAsync(eventId, options.MetadataBaseUri.ToString(), ct);
        Console.WriteLine($"[feed] block {based.BlockNumber.Value}: event {eventId}'s tickets resolve to {options.MetadataBaseUri}{{tokenId}}/metadata");
        return eventId;
    }

    /// <summary>A resale: the ticket moves to another fan, who pays the seller; either side may be refused by the chain.</summary>
    private async Task ResellAsync(CancellationToken ct)
    {
        var (tokenId, seller) = _owners.ElementAt(Random.Shared.Next(_owners.Count));
        var next = _fans.First(f => f != seller);
        await TryAsync($"resale of ticket {tokenId}", async () =>
        {
            var moved = await seller.TransferTicketAsync(next.Address, tokenId, ct);
            _owners[tokenId] = next;
            Console.WriteLine($"[feed] block {moved.BlockNumber.Value}: ticket {tokenId} resold {seller.Address} -> {next.Address}");
            var paid = await next.PayUsdcAsync(seller.Address, ResalePrice, ct);
            Console.WriteLine($"[feed] block {paid.BlockNumber.Value}: {next.Address} paid {ResalePrice / Usdc} USDC to {seller.Address}");
        });
    }

    private Task PayOutAsync(EchainWallet fan, BigInteger amount, CancellationToken ct) =>
        TryAsync($"payout to {fan.Address}", async () =>
        {
            var receipt = await _organizer.PayUsdcAsync(fan.Address, amount, ct);
            Console.WriteLine($"[feed] block {receipt.BlockNumber.Value}: organizer paid {amount / Usdc} USDC to {fan.Address}");
        });

    /// <summary>Runs one story step; a revert is part of the story (printed with the contract's reason), anything else stops the feed.</summary>
    private static async Task<bool> TryAsync(string what, Func<Task> step)
    {
        try
        {
            await step();
            return true;
        }
        catch (Exception e) when (ContractErrors.IsRevert(e))
        {
            Console.WriteLine($"[feed] {what}: refused by the contract, {ContractErrors.Describe(e)}");
            return false;
        }
    }

    private async Task<MinedTransaction> MinedAsync(TransactionReceipt receipt) =>
        new((long)receipt.BlockNumber.Value, await _reader.BlockTimeAsync(receipt.BlockNumber));

    private static EchainWallet Wallet(int account, FeedOptions options) =>
        new(ChainClients.Web3(options.Rpc, AnvilAccounts.PrivateKeys[account]), options.Deployment);
}
