using System.Globalization;
using System.Numerics;
using GraphQL.Types;
using GraphQLParser.AST;

namespace Echain.Core.Subgraph.Schema;

/// <summary>
/// The Graph's <c>BigInt</c>: a decimal string on the wire (uint256 does not fit a JSON number). A filter value is
/// parsed to a <see cref="BigInteger"/>; an integer literal or JSON number is accepted too, as graph-node does.
/// </summary>
public sealed class BigIntGraphType : ScalarGraphType
{
    public BigIntGraphType() => Name = "BigInt";

    public override object? ParseLiteral(GraphQLValue value) => value switch
    {
        GraphQLStringValue s when TryParse((string)s.Value, out var parsed) => parsed,
        GraphQLIntValue i when TryParse((string)i.Value, out var parsed) => parsed,
        GraphQLNullValue => null,
        _ => ThrowLiteralConversionError(value, "BigInt is a decimal integer string"),
    };

    public override bool CanParseLiteral(GraphQLValue value) => value switch
    {
        GraphQLStringValue s => TryParse((string)s.Value, out _),
        GraphQLIntValue i => TryParse((string)i.Value, out _),
        GraphQLNullValue => true,
        _ => false,
    };

    public override object? ParseValue(object? value) =>
        TryParseValue(value, out var parsed) ? parsed : ThrowValueConversionError(value);

    public override bool CanParseValue(object? value) => TryParseValue(value, out _);

    // The entities carry BigInt values as decimal strings already.
    public override object? Serialize(object? value) => value switch
    {
        null => null,
        string s => s,
        BigInteger b => b.ToString(CultureInfo.InvariantCulture),
        _ => ThrowSerializationError(value),
    };

    public override GraphQLValue ToAST(object? value) => Serialize(value) switch
    {
        null => new GraphQLNullValue(),
        string s => new GraphQLStringValue(s),
        _ => ThrowASTConversionError(value),
    };

    private static bool TryParseValue(object? value, out BigInteger? parsed)
    {
        parsed = value switch
        {
            BigInteger b => b,
            int i => i,
            long l => l,
            uint u => u,
            ulong u => u,
            string s when TryParse(s, out var fromText) => fromText,
            _ => null,
        };
        return parsed is not null || value is null;
    }

    private static bool TryParse(string text, out BigInteger value) =>
        BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
}

/// <summary>The Graph's <c>BigDecimal</c>, a decimal string. Declared for generated clients; no field uses it.</summary>
public sealed class BigDecimalGraphType : ScalarGraphType
{
    public BigDecimalGraphType() => Name = "BigDecimal";

    public override object? ParseLiteral(GraphQLValue value) => value switch
    {
        GraphQLStringValue s when IsDecimal((string)s.Value) => (string)s.Value,
        GraphQLIntValue or GraphQLFloatValue => value.ToString(),
        GraphQLNullValue => null,
        _ => ThrowLiteralConversionError(value, "BigDecimal is a decimal string"),
    };

    public override object? ParseValue(object? value) => value switch
    {
        null => null,
        string s when IsDecimal(s) => s,
        int or long or decimal or double or BigInteger => Convert.ToString(value, CultureInfo.InvariantCulture),
        _ => ThrowValueConversionError(value),
    };

    public override object? Serialize(object? value) => value is null or string ? value : ParseValue(value);

    private static bool IsDecimal(string text) =>
        decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
}

/// <summary>
/// The Graph's <c>Bytes</c>: 0x-prefixed hex of whole bytes. Input is accepted in any case (a checksummed address)
/// and parsed to lowercase, the form the projection stores; output is lowercase.
/// </summary>
public sealed class BytesGraphType : ScalarGraphType
{
    public BytesGraphType() => Name = "Bytes";

    public override object? ParseLiteral(GraphQLValue value) => value switch
    {
        GraphQLStringValue s when TryNormalize((string)s.Value, out var hex) => hex,
        GraphQLNullValue => null,
        _ => ThrowLiteralConversionError(value, "Bytes is 0x-prefixed hex with an even number of digits"),
    };

    public override bool CanParseLiteral(GraphQLValue value) => value switch
    {
        GraphQLStringValue s => TryNormalize((string)s.Value, out _),
        GraphQLNullValue => true,
        _ => false,
    };

    public override object? ParseValue(object? value) => value switch
    {
        null => null,
        string s when TryNormalize(s, out var hex) => hex,
        _ => ThrowValueConversionError(value),
    };

    public override bool CanParseValue(object? value) => value is null || (value is string s && TryNormalize(s, out _));

    public override object? Serialize(object? value) => value switch
    {
        null => null,
        string s => s.ToLowerInvariant(),
        _ => ThrowSerializationError(value),
    };

    public override GraphQLValue ToAST(object? value) => Serialize(value) switch
    {
        null => new GraphQLNullValue(),
        string s => new GraphQLStringValue(s),
        _ => ThrowASTConversionError(value),
    };

    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    private static bool TryNormalize(string text, out string hex)
    {
        hex = "";
        if (!text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || text.Length % 2 != 0 || text.AsSpan(2).ContainsAnyExcept(HexDigits))
            return false;
        hex = "0x" + text[2..].ToLowerInvariant();
        return true;
    }
}

/// <summary>
/// <c>ID</c> as The Graph treats it: always a string (event and ticket ids are decimal uint256), also written as an
/// integer literal or JSON number.
/// </summary>
public sealed class SubgraphIdGraphType : ScalarGraphType
{
    public SubgraphIdGraphType() => Name = "ID";

    public override object? ParseLiteral(GraphQLValue value) => value switch
    {
        GraphQLStringValue s => (string)s.Value,
        GraphQLIntValue i => (string)i.Value,
        GraphQLNullValue => null,
        _ => ThrowLiteralConversionError(value),
    };

    public override bool CanParseLiteral(GraphQLValue value) => value is GraphQLStringValue or GraphQLIntValue or GraphQLNullValue;

    public override object? ParseValue(object? value) => value switch
    {
        null => null,
        string s => s,
        int or long or uint or ulong or BigInteger => Convert.ToString(value, CultureInfo.InvariantCulture),
        _ => ThrowValueConversionError(value),
    };

    public override bool CanParseValue(object? value) => value is null or string or int or long or uint or ulong or BigInteger;

    public override object? Serialize(object? value) => value switch
    {
        null => null,
        string s => s,
        _ => ThrowSerializationError(value),
    };

    public override GraphQLValue ToAST(object? value) => Serialize(value) switch
    {
        null => new GraphQLNullValue(),
        string s => new GraphQLStringValue(s),
        _ => ThrowASTConversionError(value),
    };
}
