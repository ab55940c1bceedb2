using System.Text;
using System.Text.Json;
using Echain.Core;
using Echain.Core.Chain;
using Echain.Core.Deliveries;
using Echain.Core.Queue;
using Echain.Core.Webhooks;
using Microsoft.Extensions.Options;

namespace Echain.Tests.Webhooks;

/// <summary>A clock frozen at a chosen instant: the vectors' timestamps are fixed.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;
    public static FixedClock AtUnix(long seconds) => new(DateTimeOffset.FromUnixTimeSeconds(seconds));
}

/// <summary>Records every enqueue; can be switched to fail like an unreachable queue.</summary>
internal sealed class RecordingQueue : IChainEventQueue
{
    public List<ChainEvent> Enqueued { get; } = [];
    public bool Unavailable { get; set; }

    public Task<IReadOnlyList<string>> EnqueueAsync(IReadOnlyList<ChainEvent> events, QueuedTrace trace, CancellationToken cancellationToken)
    {
        if (Unavailable) throw new QueueUnavailableException("test: queue down");
        Enqueued.AddRange(events);
        IReadOnlyList<string> ids = events.Select((_, i) => $"msg-{Enqueued.Count - events.Count + i}").ToList();
        return Task.FromResult(ids);
    }
}

/// <summary>Keeps what the ingest records, for a unit test of the ingest (the real log is tested against PostgreSQL).</summary>
internal sealed class RecordingDeliveryLog : IDeliveryLog
{
    public List<WebhookDelivery> Recorded { get; } = [];

    public void Record(WebhookDelivery delivery) => Recorded.Add(delivery);
}

/// <summary>Keeps the health updates the ingest records, for a unit test of the ingest (the Redis store is tested end to end).</summary>
internal sealed class RecordingCdpHealthStore : ICdpHealthStore
{
    public List<CdpHealthUpdate> Recorded { get; } = [];

    public Task RecordAsync(CdpHealthUpdate update, DateTimeOffset receivedAt)
    {
        Recorded.Add(update);
        return Task.CompletedTask;
    }

    public Task<CdpHealthReport?> LatestAsync() => Task.FromResult<CdpHealthReport?>(null);
}

internal sealed record SignatureVector(string Name, string Secret, long Timestamp,
    Dictionary<string, string> Headers, string Body, string SignatureHeader);

internal static class WebhookTestData
{
    public static IReadOnlyList<SignatureVector> Vectors { get; } = Load();

    public static IEnumerable<object[]> VectorNames => Vectors.Select(v => new object[] { v.Name });

    public static SignatureVector Vector(string name) => Vectors.Single(v => v.Name == name);

    private static List<SignatureVector> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "hook0-signature-vectors.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        return doc.RootElement.GetProperty("vectors").EnumerateArray()
            .Select(v => new SignatureVector(
                v.GetProperty("name").GetString()!,
                v.GetProperty("secret").GetString()!,
                v.GetProperty("timestamp").GetInt64(),
                v.GetProperty("headers").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
                v.GetProperty("body").GetString()!,
                v.GetProperty("signatureHeader").GetString()!))
            .ToList();
    }

    public static CoinbaseSignature Verifier(TimeProvider clock, Action<CoinbaseOptions>? configure = null, params string[] secrets)
    {
        var options = new CoinbaseOptions { WebhookSecrets = [.. secrets] };
        configure?.Invoke(options);
        return new CoinbaseSignature(Options.Create(options), clock);
    }

    /// <summary>Request headers as a host hands them over: case-insensitive names.</summary>
    public static Dictionary<string, string> Headers(IEnumerable<KeyValuePair<string, string>> headers) =>
        new(headers, StringComparer.OrdinalIgnoreCase);

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public const string TicketContract = "0x1111111111111111111111111111111111111111";
    public const string Usdc = "0x833589fcd6edb6e08f4c7c32d4f71b54bda02913";
    public const string Alice = "0xf33a96b5932d9e9b9a0eda447abd8c9d48d2e0c8";
    public const string Bob = "0x61040e143a77f165ba44543af4a079f2c809d14b";
    public const string TxHash = "0xa58e4471bcce875b1ea49cc0864a620d3a484b9b7c1b0b4fd18ce83f5b30e5e0";

    /// <summary>A CDP onchain.activity.detected body; <paramref name="parameters"/> is raw JSON.</summary>
    public static string CdpBody(string contract, string eventName, string parameters, string? signature = null,
        string logIndex = "29", string blockNumber = "46218191", string txHash = TxHash) =>
        $$"""{"block_number":{{blockNumber}},"contract_address":"{{contract}}","event_name":"{{eventName}}",{{(signature is null ? "" : $"\"event_signature\":\"{signature}\",")}}"log_index":{{logIndex}},"network":"base-mainnet","parameters":{{parameters}},"timestamp":"2026-05-19T21:22:10Z","transaction_hash":"{{txHash}}"}""";
}
