using System.Text.Json;
using Nethereum.ABI.ABIDeserialisation;
using Nethereum.ABI.Model;

namespace Echain.Demo.Chain;

/// <summary>A compiled contract from contracts/build (embedded in this assembly): its ABI and creation bytecode.</summary>
public sealed record ContractArtifact(string Name, string AbiJson, string Bytecode)
{
    public static ContractArtifact EchainTickets { get; } = Load("EchainTickets");

    public static ContractArtifact TestUsdc { get; } = Load("TestUsdc");

    public ContractABI Abi { get; } = new ABIJsonDeserialiser().DeserialiseContract(AbiJson);

    private static ContractArtifact Load(string name)
    {
        using var stream = typeof(ContractArtifact).Assembly.GetManifestResourceStream($"contracts/{name}.json")
            ?? throw new InvalidOperationException($"contracts/build/{name}.json is not embedded; run node contracts/compile.mjs.");
        using var json = JsonDocument.Parse(stream);
        return new ContractArtifact(name, json.RootElement.GetProperty("abi").GetRawText(),
            json.RootElement.GetProperty("bytecode").GetString()!);
    }
}
