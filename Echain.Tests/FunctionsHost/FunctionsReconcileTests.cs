using System.Net;
using System.Text.Json.Nodes;
using Echain.Core.Chain;
using Echain.Core.Queue;
using Echain.Tests.Reconciliation;

namespace Echain.Tests.FunctionsHost;

/// <summary>
/// ReconcileChain as the Functions host runs it: timer invocations whose outEvents carry what the chain has and the
/// projection lacks; once ProcessChainEvent applied those, the next tick finds nothing and the checkpoint moves on.
/// </summary>
public sealed class FunctionsReconcileTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2027, 3, 1, 19, 0, 0, TimeSpan.Zero);
    private readonly FunctionsTestHost _functions = new();

    public Task InitializeAsync()
    {
        _functions.Reconciling(confirmations: 0);
        return _functions.InitializeAsync();
    }

    [Fact]
    public async Task A_timer_tick_outputs_the_missing_logs_and_moves_the_checkpoint_once_they_are_applied()
    {
        var created = await _functions.Ledger.CreateEventAsync(await _functions.Ledger.NewWalletAsync(), "Timer", "", Start, Start.AddHours(1), 5, 0);

        var first = await TickAsync();
        var item = Assert.Single(first.Array("outEvents")!);
        var chainEvent = ChainEventMessage.TryDeserialize(item!.ToJsonString(), out var error);
        Assert.True(chainEvent is not null, error);
        Assert.Equal(("EventCreated", created.Transaction.Hash, created.EventId.ToString()),
            (chainEvent.EventName, chainEvent.TransactionHash, chainEvent.Parameters["eventId"]));
        Assert.Equal(ChainEventOrigin.Import, chainEvent.Origin);
        Assert.NotNull(chainEvent.BlockHash);
        Assert.Empty(first.Array("signalRMessages")!);
        Assert.True((await _functions.ChainAsync()).Long("reconciled") < created.Transaction.BlockNumber); // not applied yet

        var processed = await _functions.InvokeAsync("ProcessChainEvent", new JsonObject { ["message"] = item.DeepClone() },
            ServiceBusDelivery.Metadata(Guid.NewGuid().ToString("N"), 1));
        Assert.Equal(HttpStatusCode.OK, processed.Status);

        var second = await TickAsync();
        Assert.Empty(second.Array("outEvents")!);
        var chain = await _functions.ChainAsync();
        Assert.True(chain.Long("reconciled") >= created.Transaction.BlockNumber, chain.GetRawText());
        Assert.Equal(1, chain.Count("imported"));
        Assert.Equal(created.EventId.ToString(), (await _functions.GetJsonAsync($"api/events/{created.EventId}")).GetProperty("eventId").GetString());
    }

    /// <summary>A timerTrigger invocation as the host sends it.</summary>
    private async Task<Invocation> TickAsync()
    {
        var result = await _functions.InvokeAsync("ReconcileChain",
            new JsonObject
            {
                ["timer"] = new JsonObject
                {
                    ["Schedule"] = new JsonObject { ["AdjustForDST"] = true },
                    ["ScheduleStatus"] = new JsonObject { ["Last"] = "0001-01-01T00:00:00", ["Next"] = DateTime.UtcNow.AddSeconds(15).ToString("s") },
                    ["IsPastDue"] = false,
                },
            },
            new JsonObject { ["sys"] = new JsonObject { ["MethodName"] = "ReconcileChain", ["UtcNow"] = DateTime.UtcNow.ToString("s") } });
        Assert.Equal(HttpStatusCode.OK, result.Status);
        return result;
    }

    public async Task DisposeAsync() => await _functions.DisposeAsync();
}
