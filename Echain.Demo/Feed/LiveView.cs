using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Echain.Demo.Feed;

/// <summary>A transaction's block and that block's timestamp (whole seconds, as the chain keeps it).</summary>
public sealed record MinedTransaction(long Block, DateTimeOffset BlockTime);

/// <summary>
/// What a connected frontend receives, printed as it arrives: the event groups' messages and the
/// signed-in wallet's own notifications; for the feed's own purchases, the block and the time from it.
/// </summary>
public sealed class LiveView(Uri api, string wallet, HttpClient http) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, (MinedTransaction Mined, long ReceiptAt)> _mined = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<string>> _proofs = new(StringComparer.Ordinal);
    private HubConnection? _connection;

    public static readonly string[] Targets = ["ticket-purchased", "ticket-transferred", "event-updated", "balance-updated", "notification"];

    public async Task StartAsync(string eventId, CancellationToken ct)
    {
        var tokenResponse = await http.PostAsJsonAsync(new Uri(api, "api/dev/token"), new { address = wallet }, ct);
        tokenResponse.EnsureSuccessStatusCode();
        var token = (await tokenResponse.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("accessToken").GetString();

        _connection = new HubConnectionBuilder()
            .WithUrl(new Uri(api, "api"), o => o.AccessTokenProvider = () => Task.FromResult(token))
            .WithAutomaticReconnect()
            .WithStatefulReconnect()
            .Build();
        foreach (var target in Targets)
            _connection.On<JsonElement>(target, payload => Print(target, payload));
        // Each connection (a reconnect is a new one) gets the proof its group joins must carry.
        _connection.On<JsonElement>("connection-proof", payload =>
            ProofEntry(payload.GetProperty("connectionId").GetString()!).TrySetResult(payload.GetProperty("proof").GetString()!));
        await _connection.StartAsync(ct);
        Console.WriteLine($"[view] connected as {wallet}");
        await WatchAsync(eventId, ct);
    }

    /// <summary>Joins one more event group (the feed opens a new event when one sells out).</summary>
    public async Task WatchAsync(string eventId, CancellationToken ct)
    {
        var connectionId = _connection?.ConnectionId ?? throw new InvalidOperationException("Start the view first.");
        var proof = await ProofEntry(connectionId).Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        var join = await http.PostAsJsonAsync(new Uri(api, $"api/realtime/groups/{eventId}"), new { connectionId, proof }, ct);
        join.EnsureSuccessStatusCode();
        Console.WriteLine($"[view] watching event-{eventId}");
    }

    private TaskCompletionSource<string> ProofEntry(string connectionId) =>
        _proofs.GetOrAdd(connectionId, _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Remember where and when this ticket's purchase was mined, to print the time to the client.</summary>
    public void MarkMined(string ticketId, MinedTransaction mined) => _mined[ticketId] = (mined, Stopwatch.GetTimestamp());

    private void Print(string target, JsonElement payload)
    {
        var latency = "";
        if (target == "ticket-purchased" && payload.TryGetProperty("ticketId", out var id)
            && _mined.TryRemove(id.GetString() ?? "", out var mark))
        {
            // The block's timestamp has whole seconds: the first figure includes up to a second of rounding.
            var sinceBlock = DateTimeOffset.UtcNow - mark.Mined.BlockTime;
            latency = $"  (block {mark.Mined.Block}: +{sinceBlock.TotalMilliseconds:F0} ms after the block's timestamp, " +
                      $"+{Stopwatch.GetElapsedTime(mark.ReceiptAt).TotalMilliseconds:F0} ms after the receipt)";
        }
        Console.WriteLine($"[view] {DateTime.Now:HH:mm:ss.fff} {target,-18} {payload.GetRawText()}{latency}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync();
    }
}
