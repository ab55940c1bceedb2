using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Echain.Tests.Infrastructure;

public sealed record ReceivedMessage(string Target, JsonElement Payload)
{
    public override string ToString() => $"{Target} {Payload.GetRawText()}";
}

/// <summary>Records every realtime message one client receives, in arrival order.</summary>
public sealed class RealtimeRecorder : IAsyncDisposable
{
    public static readonly string[] Targets = ["ticket-purchased", "ticket-transferred", "event-updated", "balance-updated", "notification"];
    private readonly List<ReceivedMessage> _messages = [];
    private readonly List<JsonElement> _connectionProofs = [];
    // connection id -> its proof: a reconnect is a new id, and the hub sends that one its own proof.
    private readonly Dictionary<string, TaskCompletionSource<string>> _proofs = new(StringComparer.Ordinal);

    public RealtimeRecorder(HubConnection connection)
    {
        Connection = connection;
        connection.On<JsonElement>("connection-proof", payload =>
        {
            lock (_connectionProofs) _connectionProofs.Add(payload.Clone());
            ProofEntry(payload.GetProperty("connectionId").GetString()!).TrySetResult(payload.GetProperty("proof").GetString()!);
        });
        foreach (var target in Targets)
            connection.On<JsonElement>(target, payload =>
            {
                lock (_messages) _messages.Add(new ReceivedMessage(target, payload.Clone()));
            });
    }

    public HubConnection Connection { get; }

    public IReadOnlyList<ReceivedMessage> Messages
    {
        get { lock (_messages) return _messages.ToArray(); }
    }

    /// <summary>Every connection-proof payload received (one per connection id), as sent.</summary>
    public IReadOnlyList<JsonElement> ConnectionProofs
    {
        get { lock (_connectionProofs) return _connectionProofs.ToArray(); }
    }

    public async Task<ReceivedMessage> WaitForAsync(string target, Func<JsonElement, bool> match, int seconds = 30)
    {
        ReceivedMessage? found = null;
        await Eventually.TrueAsync(() =>
        {
            found = Messages.FirstOrDefault(m => m.Target == target && match(m.Payload));
            return Task.FromResult(found is not null);
        }, $"a {target} message", seconds);
        return found!;
    }

    /// <summary>The proof the hub sent the current connection (waits for it: it follows the handshake).</summary>
    public Task<string> ProofAsync(int seconds = 15) =>
        ProofEntry(Connection.ConnectionId ?? throw new InvalidOperationException("Not connected."))
            .Task.WaitAsync(TimeSpan.FromSeconds(seconds));

    /// <summary>The body of a group join or leave for this client's current connection: <c>{connectionId, proof}</c>.</summary>
    public async Task<object> MembershipAsync() => new { connectionId = Connection.ConnectionId, proof = await ProofAsync() };

    private TaskCompletionSource<string> ProofEntry(string connectionId)
    {
        lock (_proofs)
        {
            if (!_proofs.TryGetValue(connectionId, out var entry))
                _proofs[connectionId] = entry = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            return entry;
        }
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}
