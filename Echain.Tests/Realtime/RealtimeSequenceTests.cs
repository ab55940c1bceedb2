using System.Numerics;
using Echain.Core.Processing;
using Echain.Core.Projection;
using Echain.Core.Reads;
using Echain.Core.Realtime;
using Echain.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Echain.Tests.Infrastructure.TestChain;

namespace Echain.Tests.Realtime;

/// <summary>Every message's seq, assigned in the projection transaction over real PostgreSQL: gapless per stream, stable on redelivery.</summary>
public sealed class RealtimeSequenceTests : PostgresTest
{
    [Fact]
    public async Task Concurrent_projection_numbers_every_stream_from_one_without_gaps_in_history_and_as_published()
    {
        var processor = new ChainEventProcessor(Projector(DataSource), new UncachedReads(), NullLogger<ChainEventProcessor>.Instance);
        var publisher = new RecordingPublisher();
        string[] wallets = [Alice, Bob, Carol];
        // Six events, 25 purchases each, and USDC transfers among three wallets: event and user streams written by
        // 8 consumers at once, every delivery twice (the second must emit nothing new).
        var logs = new List<Echain.Core.Chain.ChainEvent>();
        var block = 10L;
        for (var e = 1; e <= 6; e++) logs.Add(EventCreated(block++, 0, N(e)));
        for (var t = 1; t <= 150; t++)
        {
            logs.Add(Purchase(block, 0, N(1 + t % 6), N(t), wallets[t % 3]));
            logs.Add(TicketTransfer(block++, 1, Zero, wallets[t % 3], N(t)));
        }
        for (var u = 0; u < 90; u++) logs.Add(UsdcTransfer(block++, 0, wallets[u % 3], wallets[(u + 1) % 3], N(1 + u)));
        var random = new Random(11);
        await Parallel.ForEachAsync(logs.Concat(logs).OrderBy(_ => random.Next()), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (log, ct) => await processor.ProcessAsync(log, publisher, ct));

        var published = publisher.Messages.GroupBy(m => m.Stream).ToDictionary(g => g.Key, g => g.ToList());
        var history = await HistoryAsync();
        Assert.Equal(9, published.Count); // six event groups, three users
        Assert.Equal(published.Keys.Order(), history.Keys.Order());
        foreach (var (stream, copies) in published)
        {
            // A duplicate delivery racing the first one's MarkDelivered may publish again (at least once): the same
            // seq with the same payload, which clients drop.
            foreach (var same in copies.GroupBy(m => m.Seq))
                Assert.All(same, m => Assert.Equal(TestChain.Render(same.First()), TestChain.Render(m)));
            var messages = copies.DistinctBy(m => m.Seq).ToList();
            var seqs = messages.Select(m => m.Seq!.Value).Order().ToArray();
            Assert.Equal(Enumerable.Range(1, seqs.Length).Select(i => (long)i), seqs); // 1..n, no gap
            Assert.Equal(seqs, history[stream].Select(h => h.Seq));
            Assert.Equal(seqs.Length, await LastSeqAsync(stream));
            foreach (var (message, kept) in messages.OrderBy(m => m.Seq).Zip(history[stream]))
            {
                Assert.Equal(message.Target, kept.Target);
                Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(message.Payload, kept.Payload), $"{stream} #{kept.Seq} differs");
            }
        }
    }

    [Fact]
    public async Task A_redelivery_after_a_crash_before_MarkDelivered_re_emits_the_same_seqs_and_takes_no_new_ones()
    {
        var projector = Projector(DataSource);
        await projector.ApplyAsync(EventCreated(1, 0, "1"), default);
        var purchase = Purchase(2, 0, "1", "5", Alice);
        var first = await projector.ApplyAsync(purchase, default);
        // Published, then the process died before MarkDeliveredAsync: the queue redelivers.
        var again = await projector.ApplyAsync(purchase, default);
        Assert.Equal(ProjectionStatus.AlreadyApplied, again.Status);
        Assert.Equal(first.Messages.Select(m => (m.Stream, m.Seq)), again.Messages.Select(m => (m.Stream, m.Seq)));
        Assert.Equal(Render(first.Messages), Render(again.Messages));
        Assert.Equal(first.Messages.Count(m => m.Stream == "event-1") + 1, await LastSeqAsync("event-1")); // + EventCreated's

        await projector.MarkDeliveredAsync(purchase, default);
        Assert.Empty((await projector.ApplyAsync(purchase, default)).Messages);
        var next = await projector.ApplyAsync(TicketUsed(3, 0, "5"), default);
        Assert.Equal(await LastSeqAsync("event-1"), next.Messages.Where(m => m.Stream == "event-1").Max(m => m.Seq));
    }

    [Fact]
    public async Task Rollback_corrections_and_observed_balances_continue_their_streams()
    {
        var projector = Projector(DataSource);
        await projector.ApplyAsync(EventCreated(1, 0, "1"), default);
        var purchase = Purchase(2, 0, "1", "5", Alice);
        await projector.ApplyAsync(purchase, default);
        var payment = UsdcTransfer(3, 0, Bob, Alice, "10");
        await projector.ApplyAsync(payment, default);
        var before = await LastSeqAsync("event-1");

        var removed = await projector.ApplyAsync(purchase with { Removed = true }, default);
        var groupSeqs = removed.Messages.Where(m => m.Stream == "event-1").Select(m => m.Seq!.Value).ToArray();
        Assert.NotEmpty(groupSeqs);
        Assert.Equal(Enumerable.Range(1, groupSeqs.Length).Select(i => before + i), groupSeqs);
        // The removal's redelivery (crash before MarkDelivered) owes the same positions.
        var redelivered = await projector.ApplyAsync(purchase with { Removed = true }, default);
        Assert.Equal(removed.Messages.Select(m => m.Seq), redelivered.Messages.Select(m => m.Seq));

        var aliceBefore = await LastSeqAsync(RealtimeTargets.UserStream(Alice));
        var observed = await projector.ObserveBalancesAsync(Usdc, 4, [KeyValuePair.Create(Alice, new BigInteger(99))], default);
        var balance = Assert.Single(observed.Messages);
        Assert.Equal(aliceBefore + 1, balance.Seq);
        Assert.Equal(aliceBefore + 1, await LastSeqAsync(RealtimeTargets.UserStream(Alice)));
    }

    [Fact]
    public async Task History_answers_after_a_position_until_pruning_takes_it_and_410_outside_it()
    {
        var projector = Projector(DataSource);
        await projector.ApplyAsync(EventCreated(1, 0, "1"), default);
        for (var i = 0; i < 19; i++) await projector.ApplyAsync(EventUpdated(2 + i, 0, "1", title: $"Title {i}"), default);
        Assert.Equal(20, await LastSeqAsync("event-1"));

        var kept = History(count: 5, age: TimeSpan.FromHours(1));
        Assert.Equal(0, await kept.PruneAsync(default)); // all younger than the age: kept whatever the count
        var baseline = (await kept.ReadAsync("event-1", null, default)).Page!;
        Assert.Equal((20L, 0), (baseline.Latest, baseline.Messages.Count));
        var all = (await kept.ReadAsync("event-1", 0, default)).Page!;
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), all.Messages.Select(m => m.Seq));
        Assert.Equal("event-updated", all.Messages[^1].Target);
        Assert.Equal("Title 18", all.Messages[^1].Payload["updates"]!["title"]!.GetValue<string>());

        var pruning = History(count: 5, age: TimeSpan.Zero);
        Assert.Equal(15, await pruning.PruneAsync(default));
        Assert.Equal(410, (await pruning.ReadAsync("event-1", 14, default)).Gone!.Status); // 15 is gone
        Assert.Equal(Enumerable.Range(16, 5).Select(i => (long)i), (await pruning.ReadAsync("event-1", 15, default)).Page!.Messages.Select(m => m.Seq));
        Assert.Empty((await pruning.ReadAsync("event-1", 20, default)).Page!.Messages);
        Assert.Equal(410, (await pruning.ReadAsync("event-1", 21, default)).Gone!.Status); // another history
        Assert.Equal(410, (await pruning.ReadAsync("event-2", 1, default)).Gone!.Status);
        Assert.Equal(0, (await pruning.ReadAsync("event-2", 0, default)).Page!.Latest);
    }

    [Fact]
    public async Task A_long_gap_is_read_in_pages()
    {
        var projector = Projector(DataSource);
        await projector.ApplyAsync(EventCreated(1, 0, "1"), default);
        for (var i = 0; i < RealtimeHistory.MaxPageSize + 4; i++)
            await projector.ApplyAsync(EventUpdated(2 + i, 0, "1", title: $"T{i}"), default);
        var history = History(count: 1000, age: TimeSpan.FromHours(1));
        var first = (await history.ReadAsync("event-1", 2, default)).Page!;
        Assert.True(first.HasMore);
        Assert.Equal(RealtimeHistory.MaxPageSize, first.Messages.Count);
        var rest = (await history.ReadAsync("event-1", first.Messages[^1].Seq, default)).Page!;
        Assert.False(rest.HasMore);
        Assert.Equal(first.Latest, rest.Messages[^1].Seq);
        Assert.Equal(Enumerable.Range(3, (int)first.Latest - 2).Select(i => (long)i), first.Messages.Concat(rest.Messages).Select(m => m.Seq));
    }

    private RealtimeHistory History(int count, TimeSpan age) =>
        new(DataSource, Options.Create(new RealtimeHistoryOptions { HistoryCount = count, HistoryAge = age }));

    private async Task<long> LastSeqAsync(string stream)
    {
        await using var command = DataSource.CreateCommand("SELECT coalesce(max(last_seq), 0) FROM realtime_streams WHERE stream = $1");
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = stream });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<Dictionary<string, List<StoredRealtimeMessage>>> HistoryAsync()
    {
        var history = new Dictionary<string, List<StoredRealtimeMessage>>();
        await using var command = DataSource.CreateCommand("SELECT stream, seq, target, payload::text FROM realtime_messages ORDER BY stream, seq");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            if (!history.TryGetValue(reader.GetString(0), out var list)) history[reader.GetString(0)] = list = [];
            list.Add(new StoredRealtimeMessage(reader.GetInt64(1), reader.GetString(2), System.Text.Json.Nodes.JsonNode.Parse(reader.GetString(3))!.AsObject()));
        }
        return history;
    }
}
