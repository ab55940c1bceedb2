using System.Numerics;
using Echain.Core.Projection;

namespace Echain.Core.Subgraph;

/// <summary>
/// Compiles a <see cref="SubgraphFilter"/> and an orderBy to SQL over <see cref="SubgraphTables"/>' columns; every
/// value goes into <paramref name="args"/>. Text compares and orders bytewise (COLLATE "C"), whatever the database's locale.
/// </summary>
internal sealed class SubgraphSql(SqlArguments args)
{
    private int _aliases;

    public SqlArguments Arguments => args;

    public string Where(SubgraphEntity entity, SubgraphFilter filter, string alias) => filter switch
    {
        AllFilter { Parts.Count: 0 } => "true",
        AllFilter a => "(" + string.Join(" AND ", a.Parts.Select(p => Where(entity, p, alias))) + ")",
        AnyFilter { Parts.Count: 0 } => "false",
        AnyFilter o => "(" + string.Join(" OR ", o.Parts.Select(p => Where(entity, p, alias))) + ")",
        NestedFilter n => Nested(n, alias),
        FieldFilter f => Field(entity, f, alias),
        _ => throw new ArgumentOutOfRangeException(nameof(filter)),
    };

    /// <summary>The ORDER BY list: the orderBy field (null: the id), then the id so that pages are stable.</summary>
    public string OrderBy(SubgraphEntity entity, string? orderBy, OrderDirection direction, string alias)
    {
        var dir = direction == OrderDirection.Desc ? "DESC" : "ASC";
        var id = entity switch
        {
            SubgraphEntity.Transaction => $"{alias}._tx COLLATE \"C\" {dir}, {alias}._log {dir}",
            SubgraphEntity.Ticket => $"{alias}.id {dir}, {alias}._contract {dir}",
            _ => $"{alias}.id {dir}",
        };
        if (orderBy is null or "id") return id;
        if (!SubgraphFields.OrderByValues(entity).Contains(orderBy))
            throw new SubgraphQueryException($"`{orderBy}` is not an orderBy value of {entity}.");

        var separator = orderBy.IndexOf(SubgraphFields.NestedOrderSeparator, StringComparison.Ordinal);
        if (separator < 0)
            return $"{Column(entity, SubgraphFields.Of(entity).Single(f => f.Name == orderBy), alias)} {dir}, {id}";

        var reference = SubgraphFields.Of(entity).Single(f => f.Name == orderBy[..separator]);
        var target = reference.References!.Value;
        var field = SubgraphFields.Of(target).Single(f => f.Name == orderBy[(separator + SubgraphFields.NestedOrderSeparator.Length)..]);
        var inner = NextAlias();
        return $"(SELECT {Column(target, field, inner)} FROM ({SubgraphTables.Select(target, args)}) {inner} WHERE {SubgraphTables.Joins(reference, alias, inner)}) {dir}, {id}";
    }

    private string NextAlias() => "r" + ++_aliases;

    private string Nested(NestedFilter n, string alias)
    {
        var target = n.Reference.References!.Value;
        var inner = NextAlias();
        return $"EXISTS (SELECT 1 FROM ({SubgraphTables.Select(target, args)}) {inner} " +
               $"WHERE {SubgraphTables.Joins(n.Reference, alias, inner)} AND {Where(target, n.Filter, inner)})";
    }

    private static bool IsText(SubgraphField field) =>
        field.References is null && field.Type is SubgraphScalar.String or SubgraphScalar.Bytes;

    private static string Column(SubgraphEntity entity, SubgraphField field, string alias)
    {
        var column = $"{alias}.\"{field.Name}\"";
        return IsText(field) || (entity == SubgraphEntity.Transaction && field.Type == SubgraphScalar.Id) ? column + " COLLATE \"C\"" : column;
    }

    private string Field(SubgraphEntity entity, FieldFilter f, string alias)
    {
        var sql = entity == SubgraphEntity.Transaction && f.Field is { Type: SubgraphScalar.Id, References: null }
            ? TransactionId(f, alias)
            : Comparison(entity, f, alias);
        return f.Suffix.Negated && f.Value is not null ? $"NOT ({sql})" : sql;
    }

    private string Comparison(SubgraphEntity entity, FieldFilter f, string alias)
    {
        var column = Column(entity, f.Field, alias);
        if (f.Value is null) return $"{column} IS {(f.Suffix.Negated ? "NOT " : "")}NULL";
        return f.Suffix.Op switch
        {
            FilterOp.Equal => $"{column} = {Value(entity, f, f.Value)}",
            FilterOp.GreaterThan => $"{column} > {Value(entity, f, f.Value)}",
            FilterOp.GreaterOrEqual => $"{column} >= {Value(entity, f, f.Value)}",
            FilterOp.LessThan => $"{column} < {Value(entity, f, f.Value)}",
            FilterOp.LessOrEqual => $"{column} <= {Value(entity, f, f.Value)}",
            FilterOp.In => $"{column} = ANY({List(entity, f, (IReadOnlyList<object>)f.Value)})",
            FilterOp.Contains or FilterOp.StartsWith or FilterOp.EndsWith =>
                $"{column} {(f.Suffix.IgnoreCase ? "ILIKE" : "LIKE")} {args.Add(Pattern(entity, f))}",
            _ => throw new ArgumentOutOfRangeException(nameof(f)),
        };
    }

    /// <summary>A transaction id compares as (hash, log index), the order ids sort in, so the primary key answers it.</summary>
    private string TransactionId(FieldFilter f, string alias)
    {
        var key = $"({alias}._tx COLLATE \"C\", {alias}._log)";
        if (f.Suffix.Op == FilterOp.In)
        {
            var keys = ((IReadOnlyList<object>)f.Value!).Cast<TransactionKey>().ToArray();
            return $"{key} IN (SELECT * FROM unnest({args.Add(keys.Select(k => k.TxHash).ToArray())}::text[], " +
                   $"{args.Add(keys.Select(k => k.LogIndex).ToArray())}::integer[]))";
        }
        var one = (TransactionKey)f.Value!;
        var op = f.Suffix.Op switch
        {
            FilterOp.Equal => "=",
            FilterOp.GreaterThan => ">",
            FilterOp.GreaterOrEqual => ">=",
            FilterOp.LessThan => "<",
            FilterOp.LessOrEqual => "<=",
            _ => throw new ArgumentOutOfRangeException(nameof(f)),
        };
        return $"{key} {op} ({args.Add(one.TxHash)}::text, {args.Add(one.LogIndex)}::integer)";
    }

    private string Value(SubgraphEntity entity, FieldFilter f, object value) => args.Add(Stored(entity, f, value));

    private string List(SubgraphEntity entity, FieldFilter f, IReadOnlyList<object> values) => values switch
    {
        _ when f.Field.References is not null || f.Field.Type is SubgraphScalar.Id or SubgraphScalar.BigInt =>
            args.Add(values.Cast<BigInteger>().ToArray()),
        _ when f.Field.Type == SubgraphScalar.Boolean => args.Add(values.Cast<bool>().ToArray()),
        _ => args.Add(values.Select(v => (string)Stored(entity, f, v)).ToArray()),
    };

    private static object Stored(SubgraphEntity entity, FieldFilter f, object value) =>
        value is string s && SubgraphTables.IsStoredText(entity, f.Field.Name) ? PgText.Store(s) : value;

    /// <summary>A LIKE pattern of the value with its own % and _ (and the escape) taken literally; bytes match their hex digits.</summary>
    private static string Pattern(SubgraphEntity entity, FieldFilter f)
    {
        var text = (string)Stored(entity, f, f.Value!);
        if (f.Field.Type == SubgraphScalar.Bytes) text = text[2..];
        var escaped = text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal)
            .Replace("_", @"\_", StringComparison.Ordinal);
        return f.Suffix.Op switch
        {
            FilterOp.StartsWith => escaped + "%",
            FilterOp.EndsWith => "%" + escaped,
            _ => "%" + escaped + "%",
        };
    }
}
