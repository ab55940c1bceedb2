using Echain.Core.Chain;
using Echain.Core.Chain.Rpc;
using Echain.Core.Webhooks;
using Echain.Demo.Chain;
using Echain.Tests.Infrastructure;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.Model;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Util;

namespace Echain.Tests.Chain;

/// <summary>
/// Logs read from a real node decode to exactly the ChainEvent the webhook path makes of CDP's delivery of the
/// same log, and a log that is not its event's ABI encoding is poison with its key, never a silent guess.
/// </summary>
public sealed class ChainLogDecoderTests(AnvilServer anvil) : IClassFixture<AnvilServer>
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_900_000_000);
    private readonly ChainLogDecoder _decoder = new();

    [Fact]
    public async Task Every_log_of_real_transactions_decodes_as_the_webhook_parser_reads_its_delivery()
    {
        var ledger = await TestLedger.CreateAsync(anvil);
        var (organizer, fan, friend) = (await ledger.NewWalletAsync(), await ledger.NewWalletAsync(), await ledger.NewWalletAsync());
        // Multi-byte UTF-8 and an empty string: the dynamic data the verbatim strings must survive.
        var created = await ledger.CreateEventAsync(organizer, "Café ☕ Night", "", Start, Start.AddHours(3), 10, 2_000_000);
        var updated = await ledger.UpdateEventAsync(organizer, created.EventId, "Café ☕ Night, moved",
            new string('x', 100), Start.AddDays(1), Start.AddDays(1).AddHours(3), 3_000_000);
        var purchase = await ledger.BuyAsync(fan, created.EventId, "VIP"); // USDC mint, USDC Approval, purchase
        var friendFunding = await ledger.FundAsync(friend, 1_500_000);
        var resale = await ledger.ResellAsync(fan, friend, purchase.TokenId, 1_500_000);
        var checkIn = await ledger.CheckInAsync(organizer, purchase.TokenId);
        MinedTransaction[] transactions =
            [created.Transaction, updated, .. purchase.Funding, purchase.Purchase, friendFunding, resale.Payment, resale.Transfer, checkIn];

        var webhook = transactions.SelectMany(t => t).Select(Parsed).ToDictionary(e => e.Key);
        var reader = anvil.Reader();
        var logs = await reader.Eth.Filters.GetLogs.SendRequestAsync(new NewFilterInput
        {
            FromBlock = new BlockParameter(new HexBigInteger(transactions.Min(t => t.BlockNumber))),
            ToBlock = new BlockParameter(new HexBigInteger(transactions.Max(t => t.BlockNumber))),
        });
        var decoded = new List<(ChainLog Log, ChainEvent? Event)>();
        foreach (var raw in logs)
        {
            var log = ChainLog.From(raw);
            var time = await reader.BlockTimeAsync(raw.BlockNumber);
            decoded.Add((log, _decoder.Decode(log, TestLedger.Network, time, ChainEventOrigin.Import)));
        }

        // CDP delivers every log of the two contracts; the node returned exactly those.
        Assert.Equal(webhook.Keys.Select(k => k.ToString()).Order(StringComparer.Ordinal),
            decoded.Select(d => new LogKey(TestLedger.Network, d.Log.TransactionHash, d.Log.LogIndex).ToString()).Order(StringComparer.Ordinal));
        Assert.Equal(
            ["EventCreated", "EventUpdated", "Transfer", null, "Transfer", "Transfer", "TicketPurchased", "Transfer", "Transfer", "Transfer", "TicketUsed", null],
            decoded.Select(d => d.Event?.EventName));
        foreach (var (log, fromChain) in decoded)
        {
            var fromWebhook = webhook[new LogKey(TestLedger.Network, log.TransactionHash, log.LogIndex)];
            if (fromChain is null)
            {
                // Logs Echain never projects: USDC's Approval, and the check-in's ERC-4906 MetadataUpdate for wallets.
                Assert.Contains(fromWebhook.EventName, new[] { "Approval", "MetadataUpdate" });
                continue;
            }
            Assert.Equal(
                (fromWebhook.Network, fromWebhook.TransactionHash, fromWebhook.LogIndex, fromWebhook.BlockNumber, fromWebhook.Contract, fromWebhook.EventName),
                (fromChain.Network, fromChain.TransactionHash, fromChain.LogIndex, fromChain.BlockNumber, fromChain.Contract, fromChain.EventName));
            Assert.Equal(fromWebhook.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal), fromChain.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal));
            Assert.Equal(fromWebhook.BlockTime!.Value.ToUnixTimeSeconds(), fromChain.BlockTime!.Value.ToUnixTimeSeconds());
            // What only the node knows, and what the caller says.
            Assert.Equal((log.BlockHash, false, ChainEventOrigin.Import, (string?)null),
                (fromChain.BlockHash, fromChain.Removed, fromChain.Origin, fromChain.DeliveryId));
        }
        Assert.Equal("Café ☕ Night", decoded[0].Event!.Parameter("title"));
        Assert.Equal("", decoded[0].Event!.Parameter("description"));
    }

    [Fact]
    public async Task A_topic_count_that_fits_no_Echain_event_is_not_decoded()
    {
        var transfer = await UsdcTransferAsync();
        Assert.NotNull(Decode(transfer));
        Assert.Null(Decode(transfer with { Topics = transfer.Topics.Take(2).ToArray() }));
        Assert.Null(Decode(transfer with { Topics = [] }));
        Assert.Null(Decode(transfer with { Topics = [Topic0("TicketUsed(uint256)")] }));
        // The ERC-721 Approval (4 topics, like a ticket Transfer) is no Echain event.
        Assert.Null(Decode(transfer with { Topics = [Topic0("Approval(address,address,uint256)"), transfer.Topics[1], transfer.Topics[2], transfer.Topics[1]], Data = "0x" }));
    }

    [Fact]
    public async Task A_log_that_is_not_its_events_ABI_encoding_is_poison_naming_its_key()
    {
        var ledger = await TestLedger.CreateAsync(anvil);
        var organizer = await ledger.NewWalletAsync();
        var created = await ledger.CreateEventAsync(organizer, "Base Camp", "Live", Start, Start.AddHours(3), 10, 2_000_000);
        var log = (await LogsAsync(created.Transaction.BlockNumber)).Single();
        var transfer = await UsdcTransferAsync();
        var creatorTopic = log.Topics[2];

        ChainLog[] malformed =
        [
            log with { Data = log.Data[..^64] },                         // the description's bytes cut short
            log with { Data = "0x" },                                    // no data at all
            log with { Data = log.Data + "00" },                         // a trailing byte
            log with { Data = log.Data[..^1] + "z" },                    // not hex
            log with { Topics = [log.Topics[0], log.Topics[1], "0x01" + creatorTopic[4..]] }, // address padding not zero
            log with { Topics = [log.Topics[0], log.Topics[1], "0x1234"] },                  // a topic of two bytes
            transfer with { Data = "0x" },                               // an ERC-20 Transfer without its value
            transfer with { Topics = [.. transfer.Topics, transfer.Topics[1]] }, // an ERC-721 Transfer with data
        ];
        foreach (var bad in malformed)
        {
            var e = Assert.Throws<InvalidChainEventException>(() => Decode(bad));
            Assert.Contains(new LogKey(TestLedger.Network, bad.TransactionHash, bad.LogIndex).ToString(), e.Message);
        }
    }

    [Fact]
    public async Task A_title_that_is_not_UTF8_is_still_a_well_formed_log()
    {
        var ledger = await TestLedger.CreateAsync(anvil);
        var organizer = await ledger.NewWalletAsync();
        var created = await ledger.CreateEventAsync(organizer, "Base Camp", "Live", Start, Start.AddHours(3), 10, 2_000_000);
        var log = (await LogsAsync(created.Transaction.BlockNumber)).Single();
        // The contract does not check UTF-8; the same values with a title of one stray byte, as solc would encode them.
        var data = new ParametersEncoder().EncodeParameters(
            [new Parameter("bytes", "title", 1), new Parameter("bytes", "description", 2), new Parameter("uint64", "startTime", 3),
                new Parameter("uint64", "endTime", 4), new Parameter("uint256", "maxTickets", 5), new Parameter("uint256", "ticketPrice", 6)],
            new byte[] { 0xff }, "Live"u8.ToArray(), (ulong)Start.ToUnixTimeSeconds(), (ulong)Start.AddHours(3).ToUnixTimeSeconds(), 10, 2_000_000);

        var e = Decode(log with { Data = data.ToHex(prefix: true) })!;
        Assert.Equal(("\uFFFD", "Live", "10"), (e.Parameter("title"), e.Parameter("description"), e.Parameter("maxTickets")));
    }

    private ChainEvent? Decode(ChainLog log) => _decoder.Decode(log, TestLedger.Network, null, ChainEventOrigin.Heal);

    private static ChainEvent Parsed(CdpActivity activity)
    {
        var result = CoinbaseWebhookParser.Parse(activity.ToJson(), deliveryId: null);
        Assert.True(result.IsSuccess, result.Error?.Message);
        return Assert.Single(result.Events);
    }

    private async Task<ChainLog> UsdcTransferAsync()
    {
        var ledger = await TestLedger.CreateAsync(anvil);
        var funded = await ledger.FundAsync(await ledger.NewWalletAsync(), 7_000_000);
        return (await LogsAsync(funded.BlockNumber)).Single();
    }

    private async Task<IReadOnlyList<ChainLog>> LogsAsync(long block) =>
        (await anvil.Reader().Eth.Filters.GetLogs.SendRequestAsync(new NewFilterInput
        {
            FromBlock = new BlockParameter(new HexBigInteger(block)),
            ToBlock = new BlockParameter(new HexBigInteger(block)),
        })).Select(ChainLog.From).ToArray();

    private static string Topic0(string signature) => "0x" + Sha3Keccack.Current.CalculateHash(signature);
}
