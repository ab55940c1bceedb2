using Echain.Core.Chain;
using Echain.Demo.Chain;
using Nethereum.ABI.Model;

namespace Echain.Tests.Chain;

/// <summary>Core's copy of the event declarations is the one contracts/build compiles (Core embeds no artifact).</summary>
public sealed class EchainEventAbiTests
{
    [Fact]
    public void Every_event_the_decoder_handles_is_declared_as_the_compiled_contracts_declare_it()
    {
        var compiled = ContractArtifact.EchainTickets.Abi.Events.Concat(ContractArtifact.TestUsdc.Abi.Events).ToList();
        var handled = EchainEventAbi.All.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);

        // Both directions: no compiled event of a handled name is missing from Core, no Core event is unknown to the build.
        Assert.Equal(
            compiled.Where(e => handled.Contains(e.Name)).Select(Declaration).Order(StringComparer.Ordinal),
            EchainEventAbi.All.Select(Declaration).Order(StringComparer.Ordinal));
        Assert.Equal(6, EchainEventAbi.All.Count);
    }

    [Fact]
    public void The_two_Transfers_share_topic0_and_differ_in_their_indexed_count()
    {
        var transfers = EchainEventAbi.All.Where(e => e.Name == "Transfer").ToList();
        Assert.Equal(["ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"], transfers.Select(e => e.Sha3Signature).Distinct());
        Assert.Equal([3, 2], transfers.Select(e => e.NumberOfIndexes));
    }

    /// <summary>The signature hash (topic0) plus what it does not cover: parameter names, order and which are indexed.</summary>
    private static string Declaration(EventABI e) =>
        $"0x{e.Sha3Signature} {e.Name}("
        + string.Join(", ", e.InputParameters.OrderBy(p => p.Order).Select(p => $"{p.Type}{(p.Indexed ? " indexed" : "")} {p.Name}"))
        + ")";
}
