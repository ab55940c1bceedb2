using System.Text.Json;
using Echain.Core;
using Echain.Core.Auth;
using Echain.Core.Chain;
using Echain.Demo.Chain;
using Echain.LocalServices;
using Echain.Tests.FunctionsHost;
using Echain.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Nethereum.Hex.HexConvertors.Extensions;

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
    public void The_erc6492_validator_that_sign_in_sends_is_the_committed_artifact()
    {
        using var file = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryFiles.Root, "contracts", "build", "ValidateSigOffchain.json")));
        Assert.Equal(file.RootElement.GetProperty("bytecode").GetString(), Erc6492Signature.ValidatorCreationCode.ToHex(prefix: true));
    }

    [Theory]
    [InlineData("OwnedWallet")]
    [InlineData("WalletFactory")]
    [InlineData("RevertingWallet")]
    [InlineData("WrongMagicWallet")]
    public void The_test_wallets_are_the_committed_files(string name)
    {
        using var file = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryFiles.Root, "contracts", "build", "test", name + ".json")));
        Assert.Equal(file.RootElement.GetProperty("bytecode").GetString(), TestWallets.Bytecode(name));
    }

    [Fact]
    public void Interfaces_get_no_artifact()
    {
        // compile.mjs skips bytecode-less contracts; an empty bytecode would deploy nothing without an error.
        Assert.False(File.Exists(Path.Combine(RepositoryFiles.Root, "contracts", "build", "IERC1271Wallet.json")));
        Assert.All(Directory.GetFiles(Path.Combine(RepositoryFiles.Root, "contracts", "build"), "*.json", SearchOption.AllDirectories),
            f => Assert.True(JsonDocument.Parse(File.ReadAllText(f)).RootElement.GetProperty("bytecode").GetString()!.Length > 2, f));
    }

    [Fact]
    public void The_ticket_contract_emits_exactly_the_events_the_backend_projects_or_acknowledges()
    {
        var events = ContractArtifact.EchainTickets.Abi.Events
            .Select(e => $"{e.Name}({string.Join(',', e.InputParameters.Select(p => (p.Indexed ? "indexed " : "") + p.Type))})")
            .Order(StringComparer.Ordinal);
        Assert.Equal(new[]
        {
            "Approval(indexed address,indexed address,indexed uint256)",
            "ApprovalForAll(indexed address,indexed address,bool)",
            "BatchMetadataUpdate(uint256,uint256)",
            "EventCreated(indexed uint256,indexed address,string,string,uint64,uint64,uint256,uint256)",
            "EventUpdated(indexed uint256,string,string,uint64,uint64,uint256)",
            "MetadataUpdate(uint256)",
            "TicketBaseURIUpdated(indexed uint256,string)",
            "TicketPurchased(indexed uint256,indexed uint256,indexed address,uint256,string)",
            "TicketUsed(indexed uint256)",
            "Transfer(indexed address,indexed address,indexed uint256)",
        }, events);
    }

    [Fact]
    public void Every_ticket_event_the_backend_does_not_project_has_a_reason_other_than_unknown()
    {
        // A new contract event needs a decision: projected, or acknowledged as a metadata signal (approvals stay unknown).
        var options = Options.Create(new EchainOptions { TicketContracts = [EchainDeployment.Local.TicketContract] });
        var decoder = new ContractLogDecoder(options);
        var unprojected = ContractArtifact.EchainTickets.Abi.Events.Select(e => e.Name).Distinct()
            .Select(name => (name, reason: decoder.IgnoreReason(new ChainEvent("base-sepolia", "0x" + new string('a', 64), 0, 1, null,
                EchainDeployment.Local.TicketContract, name, new Dictionary<string, string>()))))
            .Where(e => e.reason is not null).ToList();
        Assert.Equal(["Approval", "ApprovalForAll"],
            unprojected.Where(e => e.reason == IgnoreReasons.UnknownEvent).Select(e => e.name).Order(StringComparer.Ordinal));
        Assert.Equal(ContractLogDecoder.TicketMetadataSignals.Order(StringComparer.Ordinal),
            unprojected.Where(e => e.reason == IgnoreReasons.MetadataSignal).Select(e => e.name).Order(StringComparer.Ordinal));
    }
}
