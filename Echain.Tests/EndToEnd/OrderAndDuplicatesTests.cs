using System.Numerics;
using Echain.Demo.Chain;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.EndToEnd;

/// <summary>
/// The projection's correctness rules through the whole pipeline: the deliveries of one real history on a node,
/// each sent twice, in several shuffled orders, each on a fresh host → identical reads that agree with the chain,
/// and every realtime message once.
/// </summary>
public sealed class OrderAndDuplicatesTests
{
    private static readonly DateTimeOffset Start = new(2027, 3, 1, 18, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Shuffled_duplicated_deliveries_give_identical_reads_and_each_message_once()
    {
        // One real history on one node; every host below is configured with that node's contracts.
        using var anvil = new AnvilServer();
        var ledger = await TestLedger.CreateAsync(anvil);
        var organizer = await ledger.NewWalletAsync();
        var fans = new List<EchainWallet>();
        for (var i = 0; i < 3; i++) fans.Add(await ledger.NewWalletAsync());
        var wallets = fans.Append(organizer).Select(w => w.Address).ToArray();
        var deliveries = new List<CdpActivity>();
        var created = await ledger.CreateEventAsync(organizer, "Opening night", "Main stage", Start, Start.AddHours(3), 4, 20);
        var eventId = created.EventId.ToString();
        deliveries.AddRange(created.Deliveries);
        deliveries.AddRange(await ledger.UpdateEventAsync(organizer, created.EventId, "Opening night (moved)", "Second stage",
            Start.AddDays(1), Start.AddDays(1).AddHours(3), 25));
        var tokens = new List<BigInteger>();
        for (var i = 0; i < 4; i++)
        {
            var purchase = await ledger.BuyAsync(fans[i % fans.Count], created.EventId, i == 0 ? "VIP" : "General");
            tokens.Add(purchase.TokenId);
            deliveries.AddRange(purchase.Deliveries);
        }
        foreach (var (seller, buyer) in new[] { (fans[0], fans[1]), (fans[1], fans[2]) })
        {
            deliveries.AddRange(await ledger.FundAsync(buyer, 45));
            deliveries.AddRange((await ledger.ResellAsync(seller, buyer, tokens[0], 45)).Deliveries);
        }
        deliveries.AddRange(await ledger.CheckInAsync(organizer, tokens[1]));
        deliveries.AddRange(await ledger.PayUsdcAsync(organizer, fans[2].Address, 7));
        var purchases = tokens.Count;

        string? expectedReads = null;
        foreach (var seed in new[] { 1, 2, 3 })
        {
            var random = new Random(seed);
            var shuffled = deliveries.Concat(deliveries).OrderBy(_ => random.Next()).ToArray();

            await using var host = EchainTestHost.OnNode(anvil);
            await host.InitializeAsync();
            var clients = new List<RealtimeRecorder>();
            foreach (var wallet in wallets) clients.Add(await host.ConnectAsync(wallet, eventId));
            try
            {
                // Four senders at once, like Coinbase's parallel retries.
                await Parallel.ForEachAsync(shuffled, new ParallelOptions { MaxDegreeOfParallelism = 4 },
                    async (activity, ct) => await host.Webhooks.SendAllAsync([activity], ct));
                await host.DrainedAsync();

                var reads = await ReadEverythingAsync(host, eventId, wallets);
                expectedReads ??= reads;
                Assert.Equal(expectedReads, reads);
                await AssertAgreesWithTheChainAsync(host, ledger, created.EventId, wallets);

                var purchased = clients[0].Messages.Where(m => m.Target == "ticket-purchased").ToArray();
                Assert.Equal(purchases, purchased.Length);
                Assert.Equal(purchases, purchased.Select(m => m.Payload.GetProperty("ticketId").GetString()).Distinct().Count());
                foreach (var (client, wallet) in clients.Zip(wallets))
                {
                    // A wallet's balance can legitimately repeat (paid 45, received 45): those are counted per
                    // USDC transfer it took part in instead; every other message is unique to its log.
                    var rendered = client.Messages.Where(m => m.Target != "balance-updated").Select(m => m.ToString()).ToArray();
                    Assert.True(rendered.Length == rendered.Distinct().Count(), string.Join("\n", rendered));
                    Assert.Equal(deliveries.Count(d => IsTransferOf(d, ledger.Deployment.PaymentToken, wallet)),
                        client.Messages.Count(m => m.Target == "balance-updated" && m.Payload.GetProperty("userId").GetString() == wallet));
                }
            }
            finally
            {
                foreach (var client in clients) await client.DisposeAsync();
            }
        }
    }

    private static bool IsTransferOf(CdpActivity delivery, string token, string wallet) =>
        delivery.EventName == "Transfer" && delivery.ContractAddress.Equals(token, StringComparison.OrdinalIgnoreCase)
        && (delivery.Parameters["from"].Equals(wallet, StringComparison.OrdinalIgnoreCase)
            || delivery.Parameters["to"].Equals(wallet, StringComparison.OrdinalIgnoreCase));

    /// <summary>Not only the same answer every time: the chain's answer (owners, sold count, USDC balances).</summary>
    private static async Task AssertAgreesWithTheChainAsync(EchainTestHost host, TestLedger ledger, BigInteger eventId, IEnumerable<string> wallets)
    {
        var view = await host.GetJsonAsync($"api/events/{eventId}");
        Assert.Equal((await ledger.State.EventAsync(eventId)).Sold, new BigInteger(view.GetProperty("ticketsSold").GetInt64()));
        foreach (var ticket in (await host.GetJsonAsync($"api/events/{eventId}/tickets")).GetProperty("items").EnumerateArray())
            Assert.Equal(await ledger.State.OwnerOfAsync(BigInteger.Parse(ticket.GetProperty("tokenId").GetString()!)),
                ticket.GetProperty("owner").GetString());
        foreach (var wallet in wallets)
        {
            var balances = (await host.GetJsonAsync($"api/users/{wallet}/balances")).GetProperty("items").EnumerateArray()
                .ToDictionary(b => b.GetProperty("token").GetString()!, b => b.GetProperty("balance").GetString());
            Assert.Equal((await ledger.State.UsdcBalanceAsync(wallet)).ToString(), balances.GetValueOrDefault(ledger.Deployment.PaymentToken, "0"));
        }
    }

    private static async Task<string> ReadEverythingAsync(EchainTestHost host, string eventId, IEnumerable<string> wallets)
    {
        var reads = new List<string>
        {
            (await host.GetJsonAsync($"api/events/{eventId}")).GetRawText(),
            (await host.GetJsonAsync($"api/events/{eventId}/tickets")).GetRawText(),
        };
        foreach (var wallet in wallets)
        {
            reads.Add((await host.GetJsonAsync($"api/users/{wallet}/tickets")).GetRawText());
            reads.Add((await host.GetJsonAsync($"api/users/{wallet}/balances")).GetRawText());
            reads.Add((await host.GetJsonAsync($"api/users/{wallet}/transactions")).GetRawText());
        }
        return string.Join('\n', reads);
    }
}
