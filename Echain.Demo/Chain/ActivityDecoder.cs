using System.Globalization;
using System.Numerics;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.Model;
using Nethereum.Contracts;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Util;

namespace Echain.Demo.Chain;

/// <summary>
/// Turns a chain log into what CDP would deliver for it: decoded with the contract's ABI (Nethereum),
/// parameter values as strings, addresses checksummed. Logs of contracts it does not know, and events
/// not in their ABI, give null: CDP cannot decode them either.
/// </summary>
public sealed class ActivityDecoder
{
    private readonly Dictionary<(string Contract, string Topic), EventABI> _events = [];

    public ActivityDecoder(string network, IEnumerable<(string Contract, ContractArtifact Artifact)> contracts)
    {
        Network = network;
        foreach (var (contract, artifact) in contracts)
            foreach (var e in artifact.Abi.Events)
                _events[(contract.ToLowerInvariant(), "0x" + e.Sha3Signature.ToLowerInvariant())] = e;
    }

    /// <summary>Both Echain contracts of a deployment.</summary>
    public static ActivityDecoder For(string network, EchainDeployment deployment) =>
        new(network, [(deployment.TicketContract, ContractArtifact.EchainTickets), (deployment.PaymentToken, ContractArtifact.TestUsdc)]);

    public string Network { get; }

    /// <summary>The activity for <paramref name="log"/>, with the block's time and the transaction's sender and recipient.</summary>
    public CdpActivity? Decode(FilterLog log, DateTimeOffset blockTime, string transactionFrom, string? transactionTo)
    {
        if (log.Topics is not { Length: > 0 } topics || topics[0]?.ToString() is not { } topic0
            || !_events.TryGetValue((log.Address.ToLowerInvariant(), topic0.ToLowerInvariant()), out var abi)
            || topics.Length != 1 + abi.InputParameters.Count(p => p.Indexed))
            return null;
        var decoded = abi.DecodeEventDefaultTopics(log);
        return new CdpActivity(
            (long)log.BlockNumber.Value,
            Checksum(log.Address),
            abi.Name,
            $"{abi.Name}({string.Join(',', abi.InputParameters.Select(p => p.Type))})",
            (int)log.LogIndex.Value,
            Network,
            decoded.Event.ToDictionary(p => p.Parameter.Name, Text),
            blockTime.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            Checksum(transactionFrom),
            log.TransactionHash,
            transactionTo is null ? "" : Checksum(transactionTo));
    }

    private static string Text(ParameterOutput output) => output.Result switch
    {
        BigInteger n => n.ToString(CultureInfo.InvariantCulture),
        string s when output.Parameter.Type == "address" => Checksum(s),
        string s => s,
        bool b => b ? "true" : "false",
        byte[] bytes => "0x" + Convert.ToHexStringLower(bytes),
        var other => Convert.ToString(other, CultureInfo.InvariantCulture) ?? "",
    };

    private static string Checksum(string address) => new AddressUtil().ConvertToChecksumAddress(address);
}
