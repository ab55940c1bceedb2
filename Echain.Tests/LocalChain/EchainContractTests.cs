using System.Numerics;
using Echain.Demo.Chain;
using Echain.Tests.Infrastructure;
using Nethereum.Web3.Accounts;

namespace Echain.Tests.LocalChain;

/// <summary>The Solidity contracts on a real node, through their public functions (what the demo and outside checks drive).</summary>
public sealed class EchainContractTests(AnvilServer anvil) : IClassFixture<AnvilServer>
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_900_000_000);

    [Fact]
    public async Task A_purchase_pulls_the_price_to_the_organizer_mints_and_counts_the_sale()
    {
        var deployment = await anvil.DeployAsync();
        var organizer = await anvil.WalletAsync(deployment);
        var buyer = await anvil.WalletAsync(deployment);
        var state = new ChainState(anvil.Reader(), deployment);

        var (_, eventId) = await organizer.CreateEventAsync("Base Camp", "Live", Start, Start.AddHours(3), 2, 25_000_000);
        await organizer.MintUsdcAsync(buyer.Address, 100_000_000);
        await buyer.ApproveTicketsAsync(25_000_000);
        var (receipt, tokenId) = await buyer.PurchaseAsync(eventId, "VIP");

        Assert.Equal(buyer.Address, await state.OwnerOfAsync(tokenId));
        Assert.Equal(eventId, await state.TicketEventAsync(tokenId));
        Assert.Equal(new BigInteger(75_000_000), await state.UsdcBalanceAsync(buyer.Address));
        Assert.Equal(new BigInteger(25_000_000), await state.UsdcBalanceAsync(organizer.Address));
        var info = await state.EventAsync(eventId);
        Assert.Equal((organizer.Address, "Base Camp", BigInteger.One, new BigInteger(2)), (info.Organizer.ToLowerInvariant(), info.Title, info.Sold, info.MaxTickets));

        // The interface's order inside one purchase: payment Transfer, mint Transfer, TicketPurchased.
        var decoder = ActivityDecoder.For("base-sepolia", deployment);
        var activities = receipt.Logs.Select(l => decoder.Decode(l, DateTimeOffset.UnixEpoch, buyer.Address, deployment.TicketContract)).ToList();
        Assert.Equal(["Transfer", "Transfer", "TicketPurchased"], activities.Select(a => a!.EventName));
        Assert.Equal(deployment.PaymentToken, activities[0]!.ContractAddress.ToLowerInvariant());
        Assert.Equal("25000000", activities[0]!.Parameters["value"]);
        Assert.Equal(("0x0000000000000000000000000000000000000000", tokenId.ToString()),
            (activities[1]!.Parameters["from"], activities[1]!.Parameters["tokenId"]));
        Assert.Equal("VIP", activities[2]!.Parameters["ticketType"]);
    }

    [Fact]
    public async Task A_buyer_without_funds_and_a_sold_out_event_are_refused_by_the_contract()
    {
        var deployment = await anvil.DeployAsync();
        var organizer = await anvil.WalletAsync(deployment);
        var broke = await anvil.WalletAsync(deployment);
        var rich = await anvil.WalletAsync(deployment);
        var (_, eventId) = await organizer.CreateEventAsync("Tiny", "One seat", Start, Start.AddHours(1), 1, 5_000_000);

        await broke.ApproveTicketsAsync(5_000_000);
        var unfunded = await Assert.ThrowsAnyAsync<Exception>(() => broke.PurchaseAsync(eventId, "GA"));
        Assert.Equal("ERC20InsufficientBalance", ContractErrors.Describe(unfunded).Split('(')[0]);

        await organizer.MintUsdcAsync(rich.Address, 50_000_000);
        await rich.ApproveTicketsAsync(50_000_000);
        await rich.PurchaseAsync(eventId, "GA");
        var soldOut = await Assert.ThrowsAnyAsync<Exception>(() => rich.PurchaseAsync(eventId, "GA"));
        Assert.Equal($"SoldOut({eventId})", ContractErrors.Describe(soldOut));
        Assert.Equal(BigInteger.One, (await new ChainState(anvil.Reader(), deployment).EventAsync(eventId)).Sold);
    }

    [Fact]
    public async Task Only_the_organizer_updates_and_checks_in_and_a_ticket_is_used_once()
    {
        var deployment = await anvil.DeployAsync();
        var organizer = await anvil.WalletAsync(deployment);
        var fan = await anvil.WalletAsync(deployment);
        var state = new ChainState(anvil.Reader(), deployment);
        var (_, eventId) = await organizer.CreateEventAsync("Free", "No charge", Start, Start.AddHours(1), 10, 0);
        var (_, tokenId) = await fan.PurchaseAsync(eventId, "GA");

        var notOrganizer = await Assert.ThrowsAnyAsync<Exception>(() => fan.UseTicketAsync(tokenId));
        Assert.StartsWith("NotOrganizer(", ContractErrors.Describe(notOrganizer));
        await Assert.ThrowsAnyAsync<Exception>(() => fan.UpdateEventAsync(eventId, "Mine", "", Start, Start.AddHours(1), 0));

        await organizer.UpdateEventAsync(eventId, "Free, moved", "Later", Start.AddDays(1), Start.AddDays(1).AddHours(2), 1);
        Assert.Equal(("Free, moved", new BigInteger(1)), ((await state.EventAsync(eventId)).Title, (await state.EventAsync(eventId)).TicketPrice));

        await organizer.UseTicketAsync(tokenId);
        Assert.True(await state.IsUsedAsync(tokenId));
        var twice = await Assert.ThrowsAnyAsync<Exception>(() => organizer.UseTicketAsync(tokenId));
        Assert.Equal($"TicketAlreadyUsed({tokenId})", ContractErrors.Describe(twice));

        var other = await anvil.WalletAsync(deployment);
        await fan.TransferTicketAsync(other.Address, tokenId);
        Assert.Equal(other.Address, await state.OwnerOfAsync(tokenId));
    }

    [Fact]
    public async Task A_fresh_node_gets_the_contracts_at_the_fixed_local_addresses_and_keeps_them()
    {
        using var node = new AnvilServer();
        // The deployer is anvil's first default account: its address is what the node reports first.
        var accounts = await node.Reader().Eth.Accounts.SendRequestAsync();
        Assert.Equal(accounts.Select(a => a.ToLowerInvariant()),
            AnvilAccounts.PrivateKeys.Select(k => new Account(k).Address.ToLowerInvariant()));

        var first = await EchainDeployment.EnsureLocalAsync(node.RpcUrl);
        var again = await EchainDeployment.EnsureLocalAsync(node.RpcUrl);

        Assert.Equal(EchainDeployment.Local, first);
        Assert.Equal(first, again);
        Assert.Equal(first.PaymentToken, (await node.Reader().Eth.GetContractQueryHandler<PaymentTokenFunction>()
            .QueryAsync<string>(first.TicketContract, new PaymentTokenFunction())).ToLowerInvariant());
    }
}
