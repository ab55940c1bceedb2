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

    public RealtimeRecorder(HubConnection connection)
    {
        Connection = connection;
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

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}
