using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Echain.Bench;

/// <summary>
/// A client following the README's reconnect recipe, as the page does (wwwroot/js/continuity.js): join, take the
/// stream's baseline, drop seqs it has, and after a reconnect rejoin with the new connection's proof and resume
/// after its last seq; refetch (count it) only on 410. Records every seq it applied, to check none is missed or doubled.
/// </summary>
public sealed class ResumingClient : IAsyncDisposable
{
    private static readonly TimeSpan[] Retries =
        [TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(4),
         TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(4)];

    private readonly HubConnection _connection;
    private readonly HttpClient _http;
    private readonly Uri _app;
    private readonly int _eventId;
    private readonly object _gate = new();
    private readonly HashSet<long> _applied = [];
    private readonly Dictionary<string, TaskCompletionSource<string>> _proofs = new(StringComparer.Ordinal);
    private long _last;

    public ResumingClient(HttpClient http, Uri app, int eventId)
    {
        _http = http;
        _app = app;
        _eventId = eventId;
        _connection = new HubConnectionBuilder()
            .WithUrl(new Uri(app, "api"), HttpTransportType.WebSockets)
            .WithAutomaticReconnect(Retries)
            .WithStatefulReconnect()
            .Build();
        _connection.On<JsonElement>("connection-proof", p =>
            Proof(p.GetProperty("connectionId").GetString()!).TrySetResult(p.GetProperty("proof").GetString()!));
        _connection.On<JsonElement>("ticket-purchased", Receive);
        _connection.Reconnected += async _ =>
        {
            Reconnects++;
            var clock = Stopwatch.StartNew();
            await JoinAsync();
            await ResumeAsync();
            CatchUp = clock.Elapsed;
        };
    }

    public string Stream => $"event-{_eventId}";
    public long Baseline { get; private set; }
    public int Reconnects { get; private set; }
    public int Refetches { get; private set; }
    public int ResumeCalls { get; private set; }
    public int Resumed { get; private set; }
    public int DuplicatesDropped { get; private set; }
    public TimeSpan? CatchUp { get; private set; }
    public bool Connected => _connection.State == HubConnectionState.Connected;

    public IReadOnlyCollection<long> Applied
    {
        get { lock (_gate) return _applied.ToArray(); }
    }

    public async Task StartAsync()
    {
        await _connection.StartAsync();
        await JoinAsync();
        var first = await ReadAsync(after: null) ?? throw new InvalidOperationException("the baseline answered 410");
        lock (_gate) Baseline = _last = first.GetProperty("latest").GetInt64();
    }

    private TaskCompletionSource<string> Proof(string connectionId)
    {
        lock (_proofs)
        {
            if (!_proofs.TryGetValue(connectionId, out var proof))
                _proofs[connectionId] = proof = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            return proof;
        }
    }

    private async Task JoinAsync()
    {
        var connectionId = _connection.ConnectionId ?? throw new InvalidOperationException("not connected");
        var proof = await Proof(connectionId).Task.WaitAsync(TimeSpan.FromSeconds(30));
        using var join = await _http.PostAsJsonAsync(new Uri(_app, $"api/realtime/groups/{_eventId}"), new { connectionId, proof });
        if (join.StatusCode != HttpStatusCode.NoContent) throw new InvalidOperationException($"group join answered {(int)join.StatusCode}");
    }

    private void Receive(JsonElement payload)
    {
        if (!payload.TryGetProperty("seq", out var seqValue)) return;
        Apply(seqValue.GetInt64(), resumed: false);
    }

    /// <summary>Applies a seq unless the client has it; the live path and the resume path meet here.</summary>
    private void Apply(long seq, bool resumed)
    {
        lock (_gate)
        {
            if (seq <= Baseline) return; // older than what the client fetched
            if (!_applied.Add(seq))
            {
                DuplicatesDropped++;
                return;
            }
            if (resumed) Resumed++;
            while (_applied.Contains(_last + 1)) _last++;
        }
    }

    /// <summary>Reads everything after the last contiguous seq; a 410 is a full refetch (a new baseline).</summary>
    public async Task ResumeAsync()
    {
        while (true)
        {
            long after;
            lock (_gate) after = _last;
            var answer = await ReadAsync(after);
            if (answer is null)
            {
                Refetches++;
                var baseline = await ReadAsync(after: null) ?? throw new InvalidOperationException("the baseline answered 410");
                lock (_gate) Baseline = _last = baseline.GetProperty("latest").GetInt64();
                return;
            }
            foreach (var message in answer.Value.GetProperty("messages").EnumerateArray())
                Apply(message.GetProperty("seq").GetInt64(), resumed: true);
            if (!answer.Value.GetProperty("hasMore").GetBoolean()) return;
        }
    }

    private async Task<JsonElement?> ReadAsync(long? after)
    {
        ResumeCalls += after is null ? 0 : 1;
        var query = after is null ? "" : $"?after={after}";
        using var response = await _http.GetAsync(new Uri(_app, $"api/realtime/groups/{_eventId}/messages{query}"));
        if (response.StatusCode == HttpStatusCode.Gone) return null;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
