using System.Text;
using System.Text.RegularExpressions;
using Echain.Demo.Emulator;
using Echain.Tests.Infrastructure;
using Nethereum.Util;

namespace Echain.Tests.LocalChain;

/// <summary>What the emulator delivers for real chain logs, byte for byte, and to which subscriptions.</summary>
public sealed partial class EmulatorDeliveryTests(AnvilServer anvil) : IClassFixture<AnvilServer>
{
    private const string Zero = "0x0000000000000000000000000000000000000000";

    [Fact]
    public async Task A_purchase_arrives_as_three_cdp_activities_with_the_exact_json_each_signed_with_its_subscriptions_secret()
    {
        var scenario = await PurchaseScenario.ReadyAsync(anvil);
        var (receipt, tokenId, received, counts) = await scenario.PurchaseThroughEmulatorAsync(anvil,
            [scenario.Tickets("tickets-secret"), scenario.Usdc("usdc-secret")]);

        var block = await anvil.Reader().Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(receipt.BlockNumber);
        var time = DateTimeOffset.FromUnixTimeSeconds((long)block.Timestamp.Value).ToString("yyyy-MM-ddTHH:mm:ssZ");
        var buyer = Checksum(scenario.Buyer.Address);
        // Written with ' for ": the design's byte layout, key order included.
        string Envelope(string contract, string name, string signature, int logIndex, string parameters) => (
            $"{{'block_number':{receipt.BlockNumber.Value},'contract_address':'{Checksum(contract)}','event_name':'{name}'," +
            $"'event_signature':'{signature}','log_index':{logIndex},'network':'base-sepolia','parameters':{{{parameters}}}," +
            $"'timestamp':'{time}','transaction_from':'{buyer}','transaction_hash':'{receipt.TransactionHash}'," +
            $"'transaction_to':'{Checksum(scenario.Deployment.TicketContract)}'}}").Replace('\'', '"');
        string[] expected =
        [
            Envelope(scenario.Deployment.PaymentToken, "Transfer", "Transfer(address,address,uint256)", 0,
                $"'from':'{buyer}','to':'{Checksum(scenario.Organizer.Address)}','value':'25000000'"),
            Envelope(scenario.Deployment.TicketContract, "Transfer", "Transfer(address,address,uint256)", 1,
                $"'from':'{Zero}','to':'{buyer}','tokenId':'{tokenId}'"),
            Envelope(scenario.Deployment.TicketContract, "TicketPurchased", "TicketPurchased(uint256,uint256,address,uint256,string)", 2,
                $"'eventId':'{scenario.EventId}','tokenId':'{tokenId}','buyer':'{buyer}','price':'25000000','ticketType':'VIP'"),
        ];
        var requests = received.OrderBy(r => r.Log.LogIndex).ToList();
        Assert.Equal(expected, requests.Select(r => Encoding.UTF8.GetString(r.Body)));

        foreach (var request in requests)
        {
            Assert.Equal("application/json", request.Headers["Content-Type"]);
            Assert.Equal("onchain.activity.detected", request.Headers["X-Event-Type"]);
            Assert.True(Guid.TryParse(request.EventId, out _), request.EventId);
            Assert.Matches(SignatureHeader(), request.Headers["X-Hook0-Signature"]);
        }
        Assert.Equal(3, requests.Select(r => r.EventId).Distinct().Count());
        Assert.Equal([true, false], [requests[0].SignedWith("usdc-secret"), requests[0].SignedWith("tickets-secret")]);
        Assert.All(requests.Skip(1), r => Assert.Equal([true, false], [r.SignedWith("tickets-secret"), r.SignedWith("usdc-secret")]));
        Assert.Equal((3L, 3L, 0L), (counts.LogsSeen, counts.Delivered, counts.Retries));
    }

    [Fact]
    public async Task Labels_combine_with_AND_and_a_log_matching_two_subscriptions_is_delivered_to_each_under_its_secret()
    {
        var scenario = await PurchaseScenario.ReadyAsync(anvil);
        await using var capture = await WebhookCapture.StartAsync();
        await using var emulator = new CdpEmulator(scenario.EmulatorTo(anvil, capture.Url,
            scenario.Tickets("purchases-only", "TicketPurchased"),
            scenario.Tickets("all-tickets"),
            scenario.Usdc("usdc-approvals", "Approval"),
            scenario.Tickets("other-network") with { Network = "base-mainnet" }));
        await emulator.StartAsync();

        var (purchase, _) = await scenario.Buyer.PurchaseAsync(scenario.EventId, "GA");
        var approval = await scenario.Buyer.ApproveTicketsAsync(1);
        await emulator.CaughtUpAsync((long)approval.BlockNumber.Value);

        string[] secrets = ["purchases-only", "all-tickets", "usdc-approvals", "other-network"];
        var bySecret = capture.Requests
            .GroupBy(r => Assert.Single(secrets, r.SignedWith))
            .ToDictionary(g => g.Key, g => g.OrderBy(r => r.Log.LogIndex).Select(r => r.Json.GetProperty("event_name").GetString()).ToList());
        Assert.Equal(["TicketPurchased"], bySecret["purchases-only"]);
        Assert.Equal(["Transfer", "TicketPurchased"], bySecret["all-tickets"]);
        Assert.Equal(["Approval"], bySecret["usdc-approvals"]);
        Assert.False(bySecret.ContainsKey("other-network"));

        // The two copies of TicketPurchased: the same bytes, two events (each subscription's own id).
        var copies = capture.Requests.Where(r => r.Log == (purchase.TransactionHash, 2)).ToList();
        Assert.Equal(2, copies.Count);
        Assert.Equal(copies[0].Body, copies[1].Body);
        Assert.NotEqual(copies[0].EventId, copies[1].EventId);
        Assert.Equal(4, capture.Requests.Count);
    }

    private static string Checksum(string address) => new AddressUtil().ConvertToChecksumAddress(address);

    [GeneratedRegex("^t=[0-9]+,v0=[0-9a-f]{64},h=content-type x-event-id x-event-type,v1=[0-9a-f]{64}$")]
    private static partial Regex SignatureHeader();
}
