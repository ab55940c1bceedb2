using System.Globalization;
using System.Numerics;
using Npgsql;

namespace Echain.Core.Projection;

/// <summary>Positional-parameter commands ($1, $2, …) on the projection's connection; every value is a parameter.</summary>
internal static class Sql
{
    /// <summary>A null argument becomes SQL NULL; an <see cref="NpgsqlParameter"/> is passed as it is (for a typed value).</summary>
    public static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object?[] args)
    {
        var command = new NpgsqlCommand(sql, connection);
        AddArguments(command.Parameters, args);
        return command;
    }

    /// <summary>One statement of a <see cref="NpgsqlBatch"/>, its arguments as <see cref="Command"/> takes them.</summary>
    public static NpgsqlBatchCommand BatchCommand(string sql, params object?[] args)
    {
        var command = new NpgsqlBatchCommand(sql);
        AddArguments(command.Parameters, args);
        return command;
    }

    private static void AddArguments(NpgsqlParameterCollection parameters, object?[] args)
    {
        foreach (var arg in args)
            parameters.Add(arg as NpgsqlParameter ?? new NpgsqlParameter { Value = arg ?? DBNull.Value });
    }

    /// <summary>
    /// Several statements in one round trip, run in their order as separate statements (each sees what the ones before it wrote).
    /// A statement that returns rows passes them to <paramref name="read"/>, one reader per such statement in order.
    /// </summary>
    public static async Task BatchAsync(NpgsqlConnection connection, CancellationToken ct, IEnumerable<NpgsqlBatchCommand> commands,
        Func<NpgsqlDataReader, Task>? read = null)
    {
        await using var batch = new NpgsqlBatch(connection);
        foreach (var command in commands) batch.BatchCommands.Add(command);
        await using var reader = await batch.ExecuteReaderAsync(ct);
        do
        {
            if (read is not null && reader.FieldCount > 0) await read(reader);
        } while (await reader.NextResultAsync(ct));
    }

    /// <summary>The number of rows affected.</summary>
    public static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct, params object?[] args)
    {
        await using var command = Command(connection, sql, args);
        return await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The first column of every row.</summary>
    public static async Task<List<string>> QueryStringsAsync(NpgsqlConnection connection, CancellationToken ct, string sql, params object?[] args)
    {
        await using var command = Command(connection, sql, args);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var values = new List<string>();
        while (await reader.ReadAsync(ct)) values.Add(reader.GetString(0));
        return values;
    }

    public static string? NullableString(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>A numeric column (a uint256, an amount) as the decimal text every read answers with; null for NULL.</summary>
    public static string? NullableDecimal(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<BigInteger>(ordinal).ToString(CultureInfo.InvariantCulture);
}
