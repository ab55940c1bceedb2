using Echain.Core.Auth;
using Nethereum.ABI;
using Nethereum.Hex.HexConvertors.Extensions;

namespace Echain.Tests.Auth;

/// <summary>The ERC-6492 wrapper is abi.encode(address, bytes, bytes) plus the magic suffix, decoded strictly.</summary>
public sealed class Erc6492SignatureTests
{
    private const string Suffix = "6492649264926492649264926492649264926492649264926492649264926492";
    private static readonly Erc6492Signature Sample = new("0x00000000000000000000000000000000000000aa",
        Convert.FromHexString("1234567890"), Enumerable.Range(0, 65).Select(i => (byte)i).ToArray());

    [Fact]
    public void The_wrapper_is_the_abi_encoding_nethereum_makes_followed_by_the_magic_suffix()
    {
        var abi = new ABIEncode().GetABIEncoded(new ABIValue("address", Sample.Factory), new ABIValue("bytes", Sample.FactoryCalldata),
            new ABIValue("bytes", Sample.InnerSignature));

        Assert.Equal(abi.ToHex() + Suffix, Sample.Encode().ToHex());
    }

    [Fact]
    public void A_wrapper_decodes_to_its_parts()
    {
        var decoded = Erc6492Signature.TryDecode(Sample.Encode());

        Assert.NotNull(decoded);
        Assert.Equal(Sample.Factory, decoded.Factory);
        Assert.Equal(Sample.FactoryCalldata, decoded.FactoryCalldata);
        Assert.Equal(Sample.InnerSignature, decoded.InnerSignature);
    }

    [Theory]
    [InlineData(0, 0x01)]    // dirty high bytes of the address word
    [InlineData(63, 0xff)]   // the calldata offset past the end
    [InlineData(95, 0xfe)]   // the signature offset past the end
    [InlineData(96 + 31, 0xff)] // the calldata length past the end
    public void A_malformed_wrapper_does_not_decode(int index, byte value)
    {
        var wrapped = Sample.Encode();
        wrapped[index] = value;

        Assert.True(Erc6492Signature.HasMagicSuffix(wrapped));
        Assert.Null(Erc6492Signature.TryDecode(wrapped));
    }

    [Fact]
    public void Only_the_full_32_byte_suffix_marks_a_wrapper()
    {
        Assert.False(Erc6492Signature.HasMagicSuffix(Convert.FromHexString(Suffix[2..])));
        Assert.False(Erc6492Signature.HasMagicSuffix(Sample.InnerSignature));
        Assert.Null(Erc6492Signature.TryDecode(Convert.FromHexString(Suffix)));
    }
}
