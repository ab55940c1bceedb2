using System.Text.Json;
using Echain.Demo.Chain;
using Echain.LocalServices;
using Echain.Tests.FunctionsHost;

namespace Echain.Tests.LocalChain;

/// <summary>The ABI and bytecode the build embeds are the ones the Solidity sources compile to.</summary>
public sealed class ContractArtifactTests
{
    [Fact]
    public async Task The_committed_build_matches_what_solc_compiles_from_the_sources()
    {
        // compile.mjs --check recompiles with the pinned solc-js and fails naming each stale artifact.
        var output = await ExternalTool.RunAsync("node", [Path.Combine(RepositoryFiles.Root, "contracts", "compile.mjs"), "--check"]);
        Assert.DoesNotContain("does not match", output);
    }

    [Theory]
    [InlineData("EchainTickets")]
    [InlineData("TestUsdc")]
    public void The_embedded_artifact_is_the_committed_file(string name)
    {
        using var file = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryFiles.Root, "contracts", "build", name + ".json")));
        var embedded = name == "EchainTickets" ? ContractArtifact.EchainTickets : ContractArtifact.TestUsdc;
        Assert.Equal(file.RootElement.GetProperty("bytecode").GetString(), embedded.Bytecode);
        Assert.Equal(file.RootElement.GetProperty("abi").GetRawText(), embedded.AbiJson);
    }

    [Fact]
    public void The_ticket_contract_emits_exactly_the_events_the_backend_projects()
    {
        var events = ContractArtifact.EchainTickets.Abi.Events
            .Select(e => $"{e.Name}({string.Join(',', e.InputParameters.Select(p => (p.Indexed ? "indexed " : "") + p.Type))})")
            .Order(StringComparer.Ordinal);
        Assert.Equal(new[]
        {
            "Approval(indexed address,indexed address,indexed uint256)",
            "ApprovalForAll(indexed address,indexed address,bool)",
            "EventCreated(indexed uint256,indexed address,string,string,uint64,uint64,uint256,uint256)",
            "EventUpdated(indexed uint256,string,string,uint64,uint64,uint256)",
            "TicketPurchased(indexed uint256,indexed uint256,indexed address,uint256,string)",
            "TicketUsed(indexed uint256)",
            "Transfer(indexed address,indexed address,indexed uint256)",
        }, events);
    }
}
