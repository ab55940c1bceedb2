using System.Collections.Frozen;
using System.Globalization;
using System.Numerics;
using Echain.Core.Chain.Rpc;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.Model;
using Nethereum.Hex.HexConvertors.Extensions;

namespace Echain.Core.Chain;

/// <summary>
/// Turns a raw log read from a node into the <see cref="ChainEvent"/> a Coinbase webhook for the same log becomes:
/// same event name, parameters named as in Solidity and canonicalized the same way (addresses lowercase, integers
/// decimal, strings verbatim). Decoding is Nethereum's, against <see cref="EchainEventAbi"/>.
/// </summary>
public sealed class ChainLogDecoder
{
    /// <param name="DataShape">The data parameters with strings as bytes: a string that is not UTF-8 is still a well-formed log.</param>
    private sealed record KnownEvent(EventABI Abi, Parameter[] Indexed, Parameter[] Data, Parameter[] DataShape);

    /// <summary>By (topic0, topic count): the ERC-721 and ERC-20 Transfer share topic0.</summary>
    private static readonly FrozenDictionary<(string Topic0, int TopicCount), KnownEvent> Events =
        EchainEventAbi.All.ToFrozenDictionary(
            abi => ("0x" + abi.Sha3Signature.ToLowerInvariant(), 1 + abi.NumberOfIndexes),
            abi =>
            {
                var indexed = abi.InputParameters.Where(p => p.Indexed).OrderBy(p => p.Order).ToArray();
                var data = abi.InputParameters.Where(p => !p.Indexed).OrderBy(p => p.Order).ToArray();
                var shape = data.Select((p, i) => new Parameter(p.Type == "string" ? "bytes" : p.Type, p.Name, i + 1)).ToArray();
                return new KnownEvent(abi, indexed, data, shape);
            });

    /// <summary>
    /// The ChainEvent for an Echain event log, or null when topic0 is none of Echain's events or the topic count
    /// does not fit it (an Approval, another contract's event). Needs no configuration: an ERC-721 Transfer has 4
    /// topics (from, to, tokenId indexed), an ERC-20 Transfer 3 topics plus data (value). Throws
    /// <see cref="InvalidChainEventException"/> when topics or data are not the event's ABI encoding: such a log
    /// can never apply.
    /// </summary>
    public ChainEvent? Decode(ChainLog log, string network, DateTimeOffset? blockTime, ChainEventOrigin origin)
    {
        if (log.Topics.Count == 0 || !Events.TryGetValue((log.Topics[0].ToLowerInvariant(), log.Topics.Count), out var known))
            return null;
        var key = new LogKey(network, log.TransactionHash, log.LogIndex);
        List<ParameterOutput> outputs;
        try
        {
            var decoder = new EventTopicDecoder();
            outputs = decoder.DecodeDefaultTopics(known.Abi, log.Topics.ToArray<object>(), log.Data);
            RequireCanonical(known, log, key, decoder);
        }
        catch (Exception e) when (e is not InvalidChainEventException)
        {
            throw new InvalidChainEventException(
                $"{known.Abi.Name} log {key}: its topics and data do not decode as {known.Abi.Signature}: {e.Message}");
        }
        var parameters = outputs.ToDictionary(o => o.Parameter.Name, Canonical, StringComparer.Ordinal);

        return new ChainEvent(
            Network: network,
            TransactionHash: log.TransactionHash,
            LogIndex: log.LogIndex,
            BlockNumber: log.BlockNumber,
            BlockTime: blockTime,
            Contract: EthAddress.TryNormalize(log.Address, out var contract) ? contract : log.Address.ToLowerInvariant(),
            EventName: known.Abi.Name,
            Parameters: parameters,
            BlockHash: log.BlockHash,
            Removed: log.Removed,
            Origin: origin);
    }

    /// <summary>
    /// Nethereum's decoding is lenient (short data reads as zeros or empty strings, address padding is skipped), so
    /// the log must be exactly what encoding the decoded values gives back, as Solidity's emit produces it.
    /// </summary>
    private static void RequireCanonical(KnownEvent known, ChainLog log, LogKey key, EventTopicDecoder decoder)
    {
        var encoder = new ParametersEncoder();
        for (var i = 0; i < known.Indexed.Length; i++)
        {
            var topic = log.Topics[i + 1].HexToByteArray();
            var value = known.Indexed[i].ABIType.Decode(topic, known.Indexed[i].ABIType.GetDefaultDecodingType());
            if (!encoder.EncodeAbiTypes([known.Indexed[i].ABIType], value).AsSpan().SequenceEqual(topic))
                throw new InvalidChainEventException(
                    $"{known.Abi.Name} log {key}: topic {i + 1} is not a 32-byte {known.Indexed[i].Type} ({known.Indexed[i].Name}).");
        }

        var data = log.Data.HexToByteArray();
        var values = decoder.DecodeDefaultData(data, known.DataShape).Select(o => o.Result).ToArray();
        if (!encoder.EncodeParameters(known.DataShape, values).AsSpan().SequenceEqual(data))
            throw new InvalidChainEventException(
                $"{known.Abi.Name} log {key}: its data ({data.Length} bytes) is not the ABI encoding of "
                + $"({string.Join(',', known.Data.Select(p => p.Type + " " + p.Name))}).");
    }

    /// <summary>The parameter canonicalization of the webhook path (EventParameters), for the types Echain's events use.</summary>
    private static string Canonical(ParameterOutput output) => output.Result switch
    {
        BigInteger n => n.ToString(CultureInfo.InvariantCulture),
        string s when output.Parameter.Type == "address" => EthAddress.Normalize(s),
        string s => s,
        var other => throw new InvalidOperationException(
            $"{output.Parameter.Type} {output.Parameter.Name} decoded to {other?.GetType().Name ?? "null"}; EchainEventAbi declares no such type."),
    };
}
