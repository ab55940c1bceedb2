using System.Buffers.Binary;
using System.Text.Json;

namespace Echain.Core.Auth;

/// <summary>
/// An ERC-6492 signature of a wallet that may not be deployed yet:
/// <c>abi.encode(address factory, bytes factoryCalldata, bytes innerSignature) ++ 32 bytes 0x6492…6492</c>.
/// </summary>
public sealed record Erc6492Signature(string Factory, byte[] FactoryCalldata, byte[] InnerSignature)
{
    private const int Word = 32;

    private static readonly byte[] MagicSuffix = Enumerable.Range(0, Word).Select(i => i % 2 == 0 ? (byte)0x64 : (byte)0x92).ToArray();

    private static readonly Lazy<byte[]> ValidatorCode = new(LoadValidatorCode);

    /// <summary>
    /// Creation bytecode of ERC-6492's ValidateSigOffchain (contracts/UniversalSigValidator.sol, embedded from
    /// contracts/build): followed by abi.encode(signer, hash, signature) and run by an eth_call without <c>to</c>,
    /// it returns 0x01 when the signature is valid.
    /// </summary>
    public static byte[] ValidatorCreationCode => ValidatorCode.Value;

    public static bool HasMagicSuffix(ReadOnlySpan<byte> signature) =>
        signature.Length >= Word && signature[^Word..].SequenceEqual(MagicSuffix);

    /// <summary>The wrapped form a counterfactual wallet signs with.</summary>
    public byte[] Encode()
    {
        var calldataWords = Padded(FactoryCalldata.Length);
        var head = new List<byte>();
        head.AddRange(AddressWord(Factory));
        head.AddRange(UintWord(3 * Word));
        head.AddRange(UintWord(3 * Word + Word + calldataWords));
        return [.. head, .. Dynamic(FactoryCalldata), .. Dynamic(InnerSignature), .. MagicSuffix];
    }

    /// <summary>
    /// The three parts of a suffixed signature, or null when its ABI encoding is malformed: an address word with
    /// dirty high bytes, an offset or a length outside the data. Strict, so a malformed one never reaches the node.
    /// </summary>
    public static Erc6492Signature? TryDecode(ReadOnlySpan<byte> signature)
    {
        if (!HasMagicSuffix(signature)) return null;
        var body = signature[..^Word];
        if (body.Length < 3 * Word || body[..12].ContainsAnyExcept((byte)0)) return null;
        var factory = "0x" + Convert.ToHexStringLower(body[12..Word]);
        return Bytes(body, 1) is { } calldata && Bytes(body, 2) is { } inner ? new Erc6492Signature(factory, calldata, inner) : null;
    }

    /// <summary>The dynamic bytes whose offset is head word <paramref name="index"/>.</summary>
    private static byte[]? Bytes(ReadOnlySpan<byte> body, int index)
    {
        if (ReadSmall(body.Slice(index * Word, Word)) is not { } offset || offset > body.Length - Word) return null;
        if (ReadSmall(body.Slice(offset, Word)) is not { } length || length > body.Length - offset - Word) return null;
        return body.Slice(offset + Word, length).ToArray();
    }

    /// <summary>A uint256 word that fits in an int (larger cannot point inside a signature).</summary>
    private static int? ReadSmall(ReadOnlySpan<byte> word)
    {
        if (word[..28].ContainsAnyExcept((byte)0)) return null;
        var value = BinaryPrimitives.ReadUInt32BigEndian(word[28..]);
        return value <= int.MaxValue ? (int)value : null;
    }

    private static byte[] AddressWord(string address)
    {
        var raw = Convert.FromHexString(address.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? address[2..] : address);
        if (raw.Length != 20) throw new ArgumentException("A factory address is 20 bytes.", nameof(address));
        return [.. new byte[12], .. raw];
    }

    private static byte[] UintWord(int value)
    {
        var word = new byte[Word];
        BinaryPrimitives.WriteInt32BigEndian(word.AsSpan(Word - 4), value);
        return word;
    }

    private static byte[] Dynamic(byte[] data) => [.. UintWord(data.Length), .. data, .. new byte[Padded(data.Length) - data.Length]];

    private static int Padded(int length) => (length + Word - 1) / Word * Word;

    private static byte[] LoadValidatorCode()
    {
        using var stream = typeof(Erc6492Signature).Assembly.GetManifestResourceStream("contracts/ValidateSigOffchain.json")
            ?? throw new InvalidOperationException("contracts/build/ValidateSigOffchain.json is not embedded; run node contracts/compile.mjs.");
        using var json = JsonDocument.Parse(stream);
        return Convert.FromHexString(json.RootElement.GetProperty("bytecode").GetString()![2..]);
    }
}
