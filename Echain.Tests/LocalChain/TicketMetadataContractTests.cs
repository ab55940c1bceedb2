using Echain.Demo.Chain;
using Echain.Tests.Infrastructure;
using Nethereum.RPC.Eth.DTOs;

namespace Echain.Tests.LocalChain;

/// <summary>
/// The contract's ERC-721 metadata side on a real node: tokenURI from the base each event's organizer sets, and the
/// ERC-4906 events that tell wallets and marketplaces to refresh (real transactions, logs read from the receipts).
/// </summary>
public sealed class TicketMetadataContractTests(AnvilServer anvil) : IClassFixture<AnvilServer>
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_900_000_000);
    private const string Base = "https://tickets.example/api/tickets/";

    [Fact]
    public async Task TokenUri_is_empty_until_the_organizer_sets_the_events_base_and_then_names_the_tickets_metadata()
    {
        var deployment = await anvil.DeployAsync();
        var (organizer, other, fan) = (await anvil.WalletAsync(deployment), await anvil.WalletAsync(deployment), await anvil.WalletAsync(deployment));
        var state = new ChainState(anvil.Reader(), deployment);
        var (_, concert) = await organizer.CreateEventAsync("Concert", "", Start, Start.AddHours(2), 10, 0);
        var (_, talk) = await other.CreateEventAsync("Talk", "", Start, Start.AddHours(1), 10, 0);
        // Interleaved sales: the concert's tickets are not contiguous, so the refresh range spans the talk's too.
        var (_, first) = await fan.PurchaseAsync(concert, "GA");
        var (_, talkTicket) = await fan.PurchaseAsync(talk, "GA");
        var (_, last) = await fan.PurchaseAsync(concert, "VIP");

        Assert.Equal(("", ""), (await state.TokenUriAsync(first), await state.TicketBaseUriAsync(concert)));

        var receipt = await organizer.SetTicketBaseUriAsync(concert, Base);

        Assert.Equal(($"{Base}{first}/metadata", $"{Base}{last}/metadata"), (await state.TokenUriAsync(first), await state.TokenUriAsync(last)));
        Assert.Equal(Base, await state.TicketBaseUriAsync(concert));
        Assert.Equal("", await state.TokenUriAsync(talkTicket)); // another organizer's event keeps its own (none)
        var logs = Decode(receipt, deployment);
        Assert.Equal(["TicketBaseURIUpdated", "BatchMetadataUpdate"], logs.Select(l => l.EventName));
        Assert.Equal((concert.ToString(), Base), (logs[0].Parameters["eventId"], logs[0].Parameters["baseURI"]));
        Assert.Equal((first.ToString(), last.ToString()), (logs[1].Parameters["_fromTokenId"], logs[1].Parameters["_toTokenId"]));

        // Cleared again: back to OpenZeppelin's answer for an empty base.
        await organizer.SetTicketBaseUriAsync(concert, "");
        Assert.Equal("", await state.TokenUriAsync(last));
    }

    [Fact]
    public async Task Only_the_organizer_sets_a_base_it_must_end_in_a_slash_and_the_token_must_exist()
    {
        var deployment = await anvil.DeployAsync();
        var (organizer, stranger) = (await anvil.WalletAsync(deployment), await anvil.WalletAsync(deployment));
        var state = new ChainState(anvil.Reader(), deployment);
        var (_, eventId) = await organizer.CreateEventAsync("Guarded", "", Start, Start.AddHours(1), 5, 0);

        var notOrganizer = await Assert.ThrowsAnyAsync<Exception>(() => stranger.SetTicketBaseUriAsync(eventId, Base));
        Assert.Equal($"NotOrganizer({eventId},{stranger.Address})", ContractErrors.Describe(notOrganizer));
        var noSlash = await Assert.ThrowsAnyAsync<Exception>(() => organizer.SetTicketBaseUriAsync(eventId, "https://tickets.example/api/tickets"));
        Assert.StartsWith("InvalidBaseURI(", ContractErrors.Describe(noSlash));
        var unknown = await Assert.ThrowsAnyAsync<Exception>(() => organizer.SetTicketBaseUriAsync(eventId + 1, Base));
        Assert.Equal($"UnknownEvent({eventId + 1})", ContractErrors.Describe(unknown));
        Assert.Equal("", await state.TicketBaseUriAsync(eventId));

        // A base set before any sale: nothing to refresh yet, so no BatchMetadataUpdate.
        Assert.Equal(["TicketBaseURIUpdated"], Decode(await organizer.SetTicketBaseUriAsync(eventId, Base), deployment).Select(l => l.EventName));
        var missing = await Assert.ThrowsAnyAsync<Exception>(() => state.TokenUriAsync(99));
        Assert.Equal("ERC721NonexistentToken(99)", ContractErrors.Describe(missing));
    }

    [Fact]
    public async Task A_check_in_and_an_update_of_a_sold_event_tell_wallets_to_refresh_after_the_projected_event()
    {
        var deployment = await anvil.DeployAsync();
        var (organizer, fan) = (await anvil.WalletAsync(deployment), await anvil.WalletAsync(deployment));
        var (_, eventId) = await organizer.CreateEventAsync("Refresh", "", Start, Start.AddHours(1), 5, 0);

        // Nothing sold: an update has no tickets to refresh.
        var early = await organizer.UpdateEventAsync(eventId, "Refresh", "v2", Start, Start.AddHours(2), 0);
        Assert.Equal(["EventUpdated"], Decode(early, deployment).Select(l => l.EventName));

        var (_, tokenId) = await fan.PurchaseAsync(eventId, "GA");
        var update = Decode(await organizer.UpdateEventAsync(eventId, "Refresh (moved)", "v3", Start.AddDays(1), Start.AddDays(1).AddHours(1), 0), deployment);
        Assert.Equal(["EventUpdated", "BatchMetadataUpdate"], update.Select(l => l.EventName));
        Assert.Equal((tokenId.ToString(), tokenId.ToString()), (update[1].Parameters["_fromTokenId"], update[1].Parameters["_toTokenId"]));

        var checkIn = Decode(await organizer.UseTicketAsync(tokenId), deployment);
        Assert.Equal(["TicketUsed", "MetadataUpdate"], checkIn.Select(l => l.EventName));
        Assert.Equal([tokenId.ToString(), tokenId.ToString()], [checkIn[0].Parameters["tokenId"], checkIn[1].Parameters["_tokenId"]]);
        // The projected log keeps its place (first in the transaction); the refresh follows it.
        Assert.Equal(checkIn[0].LogIndex + 1, checkIn[1].LogIndex);
    }

    [Theory]
    [InlineData(0x01ffc9a7u, true)] // ERC-165
    [InlineData(0x80ac58cdu, true)] // ERC-721
    [InlineData(0x5b5e139fu, true)] // ERC-721 metadata (name, symbol, tokenURI)
    [InlineData(0x49064906u, true)] // ERC-4906 metadata update events
    [InlineData(0xffffffffu, false)] // ERC-165's invalid id
    public async Task The_contract_announces_the_metadata_interfaces_wallets_look_for(uint interfaceId, bool supported)
    {
        var deployment = await anvil.DeployAsync();
        Assert.Equal(supported, await new ChainState(anvil.Reader(), deployment).TicketsSupportAsync(interfaceId));
    }

    private static List<CdpActivity> Decode(TransactionReceipt receipt, EchainDeployment deployment)
    {
        var decoder = ActivityDecoder.For("base-sepolia", deployment);
        return [.. receipt.Logs.Select(l => decoder.Decode(l, DateTimeOffset.UnixEpoch, receipt.From, deployment.TicketContract)).OfType<CdpActivity>()];
    }
}
