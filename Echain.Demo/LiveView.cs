using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Echain.Demo;

/// <summary>
/// What a connected frontend receives, printed as it arrives: the event group's messages and the
/// signed-in wallet's own notifications, with the time since the webhook for the demo's own sends.
/// </summary>
public sealed class LiveView(Uri api, string wallet, HttpClient http) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, long> _sentAt = new();
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
            .Build();
        foreach (var target in Targets)
            _connection.On<JsonElement>(target, payload => Print(target, payload));
        await _connection.StartAsync(ct);
        var join = await http.PostAsJsonAsync(new Uri(api, $"api/realtime/groups/{eventId}"), new { connectionId = _connection.ConnectionId }, ct);
        join.EnsureSuccessStatusCode();
        Console.WriteLine($"[view] connected as {wallet}, watching event-{eventId}");
    }

    /// <summary>Remember when the webhook for this ticket went out, to print the push latency.</summary>
    public void MarkSent(string ticketId) => _sentAt[ticketId] = Stopwatch.GetTimestamp();

    private void Print(string target, JsonElement payload)
    {
        var latency = "";
        if (target == "ticket-purchased" && payload.TryGetProperty("ticketId", out var id)
            && _sentAt.TryRemove(id.GetString() ?? "", out var sent))
            latency = $"  (+{Stopwatch.GetElapsedTime(sent).TotalMilliseconds:F0} ms after the webhook)";
        Console.WriteLine($"[view] {DateTime.Now:HH:mm:ss.fff} {target,-18} {payload.GetRawText()}{latency}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync();
    }
}
