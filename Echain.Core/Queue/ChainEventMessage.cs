using System.Text.Json;
using Echain.Core.Chain;

namespace Echain.Core.Queue;

/// <summary>
/// The queued document every transport carries: a <see cref="ChainEvent"/> as JSON (web defaults), the
/// same bytes whichever queue holds it.
/// </summary>
public static class ChainEventMessage
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Serialize(ChainEvent chainEvent) => JsonSerializer.Serialize(chainEvent, Json);

    /// <summary>Null plus a reason when the body can never become a ChainEvent (poison: dead-letter at once).</summary>
    public static ChainEvent? TryDeserialize(string? data, out string? error)
    {
        error = null;
        if (string.IsNullOrEmpty(data))
        {
            error = "message is empty";
            return null;
        }
        try
        {
            var parsed = JsonSerializer.Deserialize<ChainEvent>(data, Json);
            // The serializer fills missing members with null even where the record says non-null.
            if (parsed is null || parsed.Network is null || parsed.TransactionHash is null
                || parsed.Contract is null || parsed.EventName is null || parsed.Parameters is null)
            {
                error = "message JSON lacks required ChainEvent members";
                return null;
            }
            return parsed;
        }
        catch (JsonException ex)
        {
            error = $"message is not a ChainEvent JSON document: {ex.Message}";
            return null;
        }
    }
}
