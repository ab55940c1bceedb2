using Echain.Demo;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.EndToEnd;

/// <summary>
/// The projection's correctness rules through the whole pipeline: one set of deliveries, each sent twice,
/// in several shuffled orders, each on a fresh host → identical reads, and every realtime message once.
/// </summary>
public sealed class OrderAndDuplicatesTests
{
    private static readonly DateTimeOffset Start = new(2027, 3, 1, 18, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Shuffled_duplicated_deliveries_give_identical_reads_and_each_message_once()
    {
        var chain = new SimulatedChain(EchainTestHost.TicketContract, EchainTestHost.Usdc);
        var organizer = SimulatedChain.RandomAddress();
        var fans = Enumerable.Range(0, 3).Select(_ => SimulatedChain.RandomAddress()).ToArray();
        var wallets = fans.Append(organizer).ToArray();
        var deliveries = new List<CdpActivity>();
        deliveries.AddRange(chain.CreateEvent(900, organizer, "Opening night", "Main stage", Start, Start.AddHours(3), 4, 20));
        deliveries.AddRange(chain.UpdateEvent(900, organizer, "Opening night (moved)", "Second stage", Start.AddDays(1), Start.AddDays(1).AddHours(3), 25));
        for (var i = 0; i < 4; i++)
            deliveries.AddRange(chain.BuyTicket(900, 9001 + i, fans[i % fans.Length], organizer, 25, i == 0 ? "VIP" : "General"));
        deliveries.AddRange(chain.Resell(9001, fans[0], fans[1], 40));
        deliveries.AddRange(chain.Resell(9001, fans[1], fans[2], 45));
        deliveries.AddRange(chain.UseTicket(9002, organizer));
        deliveries.AddRange(chain.PayUsdc(organizer, fans[2], 7));
        var purchases = 4;

        string? expectedReads = null;
        foreach (var seed in new[] { 1, 2, 3 })
        {
            var random = new Random(seed);
            var shuffled = deliveries.Concat(deliveries).OrderBy(_ => random.Next()).ToArray();

            await using var host = new EchainTestHost();
            await host.InitializeAsync();
            var clients = new List<RealtimeRecorder>();
            foreach (var wallet in wallets) clients.Add(await host.ConnectAsync(wallet, "900"));
            try
            {
                // Four senders at once, like Coinbase's parallel retries.
                await Parallel.ForEachAsync(shuffled, new ParallelOptions { MaxDegreeOfParallelism = 4 },
                    async (activity, ct) => await host.Webhooks.SendAllAsync([activity], ct));
                await host.DrainedAsync();

                var reads = await ReadEverythingAsync(host, wallets);
                expectedReads ??= reads;
                Assert.Equal(expectedReads, reads);

                var purchased = clients[0].Messages.Where(m => m.Target == "ticket-purchased").ToArray();
                Assert.Equal(purchases, purchased.Length);
                Assert.Equal(purchases, purchased.Select(m => m.Payload.GetProperty("ticketId").GetString()).Distinct().Count());
                foreach (var client in clients)
                {
                    var rendered = client.Messages.Select(m => m.ToString()).ToArray();
                    Assert.Equal(rendered.Length, rendered.Distinct().Count());
                }
            }
            finally
            {
                foreach (var client in clients) await client.DisposeAsync();
            }
        }
    }

    private static async Task<string> ReadEverythingAsync(EchainTestHost host, IEnumerable<string> wallets)
    {
        var reads = new List<string>
        {
            (await host.GetJsonAsync("api/events/900")).GetRawText(),
            (await host.GetJsonAsync("api/events/900/tickets")).GetRawText(),
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
