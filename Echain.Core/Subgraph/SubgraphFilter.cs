using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Echain.Core.Chain;

namespace Echain.Core.Subgraph;

/// <summary>A parsed, validated <c>where</c>: what <see cref="SubgraphSql"/> compiles and the cache variant names.</summary>
internal abstract record SubgraphFilter;

/// <summary>
/// One comparison. <paramref name="Value"/> is normalized: a <see cref="BigInteger"/> for numbers and event/ticket ids,
/// a <see cref="TransactionKey"/> for transaction ids, a string, a bool, null (is null), or a list of those (<c>_in</c>).
/// </summary>
internal sealed record FieldFilter(SubgraphField Field, FilterSuffix Suffix, object? Value) : SubgraphFilter;

/// <summary><c>event_: {…}</c>: the referenced entity matches <paramref name="Filter"/>.</summary>
internal sealed record NestedFilter(SubgraphField Reference, SubgraphFilter Filter) : SubgraphFilter;

/// <summary>Every part holds (a where's own keys, and <c>and</c>); no part is always true.</summary>
internal sealed record AllFilter(IReadOnlyList<SubgraphFilter> Parts) : SubgraphFilter;

/// <summary><c>or</c>: one part holds; no part is never true.</summary>
internal sealed record AnyFilter(IReadOnlyList<SubgraphFilter> Parts) : SubgraphFilter;

/// <summary>A transaction's id, "{txHash}-{logIndex}", in the order ids sort: by hash, then log index.</summary>
internal readonly record struct TransactionKey(string TxHash, int LogIndex)
{
    private static readonly Regex Pattern = new("^0x[0-9a-fA-F]{64}-(0|[1-9][0-9]{0,9})$", RegexOptions.CultureInvariant);

    public static bool TryParse(string? text, out TransactionKey key)
    {
        key = default;
        if (text is null || !Pattern.IsMatch(text)) return false;
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (!int.TryParse(text.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var log)) return false;
        key = new TransactionKey(text[..dash].ToLowerInvariant(), log);
        return true;
    }

    public override string ToString() => $"{TxHash}-{LogIndex.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>Parses graphql-dotnet's filter input into a <see cref="SubgraphFilter"/>, rejecting what the store cannot compare.</summary>
internal static class SubgraphFilters
{
    private static readonly Regex HexText = new("^0x[0-9a-f]*$", RegexOptions.CultureInvariant);

    private static readonly Dictionary<SubgraphEntity, Dictionary<string, (SubgraphField Field, FilterSuffix? Suffix)>> Keys =
        Enum.GetValues<SubgraphEntity>().ToDictionary(e => e, KeysOf);

    public static AllFilter Parse(SubgraphEntity entity, IReadOnlyDictionary<string, object?>? where) =>
        where is null ? new AllFilter([]) : ParseObject(entity, where, "where");

    private static AllFilter ParseObject(SubgraphEntity entity, IEnumerable<KeyValuePair<string, object?>> where, string path)
    {
        var parts = new List<SubgraphFilter>();
        foreach (var (key, value) in where)
        {
            if (key is SubgraphFields.And or SubgraphFields.Or)
            {
                var list = Objects(value, $"{path}.{key}").Select((o, i) => (SubgraphFilter)ParseObject(entity, o, $"{path}.{key}[{i}]")).ToList();
                parts.Add(key == SubgraphFields.And ? new AllFilter(list) : new AnyFilter(list));
                continue;
            }
            if (!Keys[entity].TryGetValue(key, out var match))
                throw new SubgraphQueryException($"`{key}` is not a filter of {entity}.");
            if (match.Suffix is null)
            {
                var nested = value as IEnumerable<KeyValuePair<string, object?>>
                             ?? throw new SubgraphQueryException($"`{key}` must be an object of filters.");
                parts.Add(new NestedFilter(match.Field, ParseObject(match.Field.References!.Value, nested, $"{path}.{key}")));
                continue;
            }
            parts.Add(new FieldFilter(match.Field, match.Suffix, Value(entity, match.Field, match.Suffix, key, value)));
        }
        return new AllFilter(parts);
    }

    private static object? Value(SubgraphEntity entity, SubgraphField field, FilterSuffix suffix, string key, object? value)
    {
        if (value is null)
        {
            if (field.Nullable && suffix.Op == FilterOp.Equal) return null;
            throw new SubgraphQueryException($"`{key}` cannot be null.");
        }
        if (suffix.Op != FilterOp.In) return Scalar(entity, field, suffix, key, value);
        if (value is string || value is not IEnumerable list)
            throw new SubgraphQueryException($"`{key}` must be a list.");
        return list.Cast<object?>()
            .Select(v => v is null ? throw new SubgraphQueryException($"`{key}` cannot hold null.") : Scalar(entity, field, suffix, key, v))
            .ToList();
    }

    private static object Scalar(SubgraphEntity entity, SubgraphField field, FilterSuffix suffix, string key, object value)
    {
        if (field.References is { } referenced) return EntityId(referenced, key, value);
        switch (field.Type)
        {
            case SubgraphScalar.Id:
                return EntityId(entity, key, value);
            case SubgraphScalar.BigInt:
                return value switch
                {
                    BigInteger b => b,
                    int or long or short or byte or uint or ulong => new BigInteger(Convert.ToDecimal(value, CultureInfo.InvariantCulture)),
                    string s when BigInteger.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var b) => b,
                    _ => throw new SubgraphQueryException($"`{key}` must be a BigInt."),
                };
            case SubgraphScalar.Boolean:
                return value as bool? ?? throw new SubgraphQueryException($"`{key}` must be a Boolean.");
            case SubgraphScalar.Bytes:
                var hex = (value as string)?.ToLowerInvariant();
                // A substring of bytes is a substring of their hex; equality and order compare whole byte strings.
                var valid = hex is not null && HexText.IsMatch(hex) && (suffix.Op == FilterOp.Contains || hex.Length % 2 == 0);
                return valid ? hex! : throw new SubgraphQueryException($"`{key}` must be Bytes (0x followed by hex digits).");
            default:
                return value as string ?? throw new SubgraphQueryException($"`{key}` must be a String.");
        }
    }

    /// <summary>An id of <paramref name="entity"/>: a uint256 for events and tickets, "{txHash}-{logIndex}" for transactions.</summary>
    public static object EntityId(SubgraphEntity entity, string key, object value) =>
        TryEntityId(entity, value, out var id) ? id
        : entity == SubgraphEntity.Transaction ? throw new SubgraphQueryException($"`{key}` must be a transaction id (0x, 64 hex digits, '-', the log index).")
        : throw new SubgraphQueryException($"`{key}` must be an id (a uint256 in decimal).");

    /// <inheritdoc cref="EntityId"/>
    public static bool TryEntityId(SubgraphEntity entity, object value, out object id)
    {
        id = "";
        var text = value switch
        {
            string s => s,
            BigInteger or int or long => Convert.ToString(value, CultureInfo.InvariantCulture),
            _ => null,
        };
        if (entity == SubgraphEntity.Transaction)
        {
            if (!TransactionKey.TryParse(text, out var tx)) return false;
            id = tx;
            return true;
        }
        // Decimal only: The Graph's ids are the decimal text, so "0x1" names no event.
        if (text is null || text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || !Uint256.TryParse(text, out var number)) return false;
        id = number;
        return true;
    }

    private static IEnumerable<IEnumerable<KeyValuePair<string, object?>>> Objects(object? value, string path)
    {
        if (value is null or string || value is not IEnumerable list)
            throw new SubgraphQueryException($"`{path}` must be a list of filters.");
        foreach (var item in list)
            yield return item as IEnumerable<KeyValuePair<string, object?>> ?? throw new SubgraphQueryException($"`{path}` must be a list of filters.");
    }

    private static Dictionary<string, (SubgraphField, FilterSuffix?)> KeysOf(SubgraphEntity entity)
    {
        var keys = new Dictionary<string, (SubgraphField, FilterSuffix?)>(StringComparer.Ordinal);
        foreach (var field in SubgraphFields.Of(entity))
        {
            foreach (var suffix in SubgraphFields.SuffixesFor(field)) keys.Add(field.Name + suffix.Suffix, (field, suffix));
            if (field.References is not null) keys.Add(field.Name + SubgraphFields.NestedSuffix, (field, null));
        }
        return keys;
    }

    /// <summary>
    /// A deterministic text of the filter: the same filter, whatever the order of its keys or how its values were
    /// spelled ("007" and "7"), gives the same text, so it names one cache entry.
    /// </summary>
    public static string Canonical(SubgraphFilter filter) => filter switch
    {
        FieldFilter f => JsonSerializer.Serialize(f.Field.Name + f.Suffix.Suffix) + ":" + CanonicalValue(f.Value),
        NestedFilter n => JsonSerializer.Serialize(n.Reference.Name + SubgraphFields.NestedSuffix) + ":" + Canonical(n.Filter),
        AllFilter a => "{" + string.Join(",", a.Parts.Select(Canonical).Order(StringComparer.Ordinal)) + "}",
        AnyFilter o => "or[" + string.Join(",", o.Parts.Select(Canonical)) + "]",
        _ => throw new ArgumentOutOfRangeException(nameof(filter)),
    };

    /// <summary>
    /// A deterministic text of a collection's arguments (its filter as <see cref="Canonical(SubgraphFilter)"/>, its order
    /// and page): equal for every spelling of the same query, so it names one cache entry or one batch.
    /// </summary>
    public static string Canonical(SubgraphFilter filter, SubgraphCollection query) =>
        string.Join("\n", Canonical(filter), query.OrderBy ?? "id", query.Direction,
            query.First.ToString(CultureInfo.InvariantCulture), query.Skip.ToString(CultureInfo.InvariantCulture));

    private static string CanonicalValue(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        BigInteger n => n.ToString(CultureInfo.InvariantCulture),
        string s => JsonSerializer.Serialize(s),
        TransactionKey t => JsonSerializer.Serialize(t.ToString()),
        IEnumerable<object> list => "[" + string.Join(",", list.Select(CanonicalValue)) + "]",
        _ => throw new ArgumentOutOfRangeException(nameof(value)),
    };

    /// <summary>The value of a top-level equality on <paramref name="field"/> (<c>where: {event: "1"}</c>), if any.</summary>
    public static object? TopLevelEquality(AllFilter filter, string field) =>
        filter.Parts.OfType<FieldFilter>()
            .FirstOrDefault(f => f.Field.Name == field && f.Suffix is { Op: FilterOp.Equal, Negated: false } && f.Value is not null)?.Value;

    /// <summary>Whether a nested filter on <paramref name="reference"/> occurs anywhere in <paramref name="filter"/>.</summary>
    public static bool Nests(SubgraphFilter filter, string reference) => filter switch
    {
        NestedFilter n => n.Reference.Name == reference || Nests(n.Filter, reference),
        AllFilter a => a.Parts.Any(p => Nests(p, reference)),
        AnyFilter o => o.Parts.Any(p => Nests(p, reference)),
        _ => false,
    };
}
