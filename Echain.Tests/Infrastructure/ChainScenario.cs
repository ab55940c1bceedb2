using System.Numerics;
using Echain.Demo.Chain;
using Echain.Demo.Emulator;

namespace Echain.Tests.Infrastructure;

/// <summary>
/// A story on the chain that uses every event Echain projects: three events (one updated), five purchases, a sold-out
/// and an unfunded purchase the contract refuses, resales, check-ins and USDC payments. The wallets are fresh.
/// </summary>
/// <param name="Tickets">The five tokens bought, in order: concert VIP (resold twice), concert GA (checked in), concert GA, talk (checked in), open day (resold).</param>
public sealed record ChainScenario(
    IReadOnlyList<EchainWallet> Wallets, BigInteger Concert, BigInteger Talk, BigInteger Free, IReadOnlyList<BigInteger> Tickets, long Head)
{
    private static readonly DateTimeOffset Start = new(2027, 6, 1, 20, 0, 0, TimeSpan.Zero);
    public static readonly string[] TicketEvents = ["EventCreated", "EventUpdated", "TicketPurchased", "Transfer", "TicketUsed"];

    /// <summary>One CDP subscription per ticket event and one for USDC's Transfer, secrets subscription-secret-0..5.</summary>
    public static CdpSubscription[] Subscriptions(EchainDeployment deployment) =>
    [
        .. TicketEvents.Select((name, i) => new CdpSubscription(TestLedger.Network, deployment.TicketContract, name, $"subscription-secret-{i}")),
        new(TestLedger.Network, deployment.PaymentToken, "Transfer", $"subscription-secret-{TicketEvents.Length}"),
    ];

    /// <summary>The app accepts each subscription's own secret, as it must for real CDP subscriptions.</summary>
    public static void AcceptSubscriptionSecrets(EchainTestHost host)
    {
        for (var i = 0; i <= TicketEvents.Length; i++) host.Settings[$"Coinbase:WebhookSecrets:{i}"] = $"subscription-secret-{i}";
    }

    public static async Task<ChainScenario> RunAsync(TestLedger ledger)
    {
        var wallets = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => ledger.NewWalletAsync()));
        var (alice, bob, fan1, fan2, fan3, broke) = (wallets[0], wallets[1], wallets[2], wallets[3], wallets[4], wallets[5]);
        var concert = (await ledger.CreateEventAsync(alice, "Concert", "Hall A", Start, Start.AddHours(3), 3, 20_000_000)).EventId;
        var talk = (await ledger.CreateEventAsync(bob, "Talk", "Room 2", Start.AddDays(1), Start.AddDays(1).AddHours(1), 10, 5_000_000)).EventId;
        var free = (await ledger.CreateEventAsync(alice, "Open day", "Lobby", Start.AddDays(2), Start.AddDays(2).AddHours(8), 5, 0)).EventId;
        await ledger.UpdateEventAsync(bob, talk, "Talk (moved)", "Room 3", Start.AddDays(1), Start.AddDays(1).AddHours(2), 6_000_000);

        var t1 = (await ledger.BuyAsync(fan1, concert, "VIP")).TokenId;
        var t2 = (await ledger.BuyAsync(fan2, concert, "GA")).TokenId;
        var t3 = (await ledger.BuyAsync(fan3, concert, "GA")).TokenId;
        var t4 = (await ledger.BuyAsync(fan1, talk, "GA")).TokenId;
        var t5 = (await ledger.BuyAsync(fan2, free, "GA")).TokenId;
        // Refused by the contract, so nothing is delivered: sold out, and a buyer who has no USDC.
        await Assert.ThrowsAnyAsync<Exception>(() => ledger.BuyAsync(fan2, concert, "GA"));
        await broke.ApproveTicketsAsync(6_000_000);
        await Assert.ThrowsAnyAsync<Exception>(() => broke.PurchaseAsync(talk, "GA"));

        await ledger.FundAsync(fan3, 100_000_000);
        await ledger.FundAsync(fan2, 50_000_000);
        await ledger.ResellAsync(fan1, fan3, t1, 35_000_000);
        await ledger.ResellAsync(fan3, fan2, t1, 40_000_000);
        await ledger.ResellAsync(fan2, fan1, t5, 1_000_000);
        await ledger.CheckInAsync(alice, t2);
        await ledger.CheckInAsync(bob, t4);
        await ledger.PayUsdcAsync(alice, broke.Address, 7_000_000);
        await ledger.PayUsdcAsync(fan2, bob.Address, 3_000_000);
        return new ChainScenario(wallets, concert, talk, free, [t1, t2, t3, t4, t5], await ledger.HeadAsync());
    }
}
