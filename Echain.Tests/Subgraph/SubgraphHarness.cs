using Echain.Core;
using Echain.Core.Chain;
using Echain.Core.Chain.Rpc;
using Echain.Core.Processing;
using Echain.Core.Projection;
using Echain.Core.Queue;
using Echain.Core.Reads;
using Echain.Core.Reconciliation;
using Echain.Core.Subgraph;
using Echain.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace Echain.Tests.Subgraph;

/// <summary>
/// <see cref="SubgraphReads"/> over a test's database and a real Redis, the projection fed through the processor
/// (apply, then invalidate the outcome's resources, as the queue consumer does). The reads' own data source counts the
/// statements it executes.
/// </summary>
internal sealed class SubgraphHarness : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _redis;
    private readonly NpgsqlDataSource _readSource;
    private readonly ChainEventProcessor _processor;
    private readonly TicketProjector _projector;

    public SubgraphHarness(NpgsqlDataSource projection, RedisServer redis)
    {
        _redis = redis.Connect();
        Cache = new RedisReadCache(_redis, new RedisCacheOptions { KeyPrefix = $"s{Guid.NewGuid():N}:" });
        var builder = new NpgsqlDataSourceBuilder(projection.ConnectionString);
        builder.UseLoggerFactory(LoggerFactory.Create(logging => logging.AddProvider(Statements)));
        _readSource = builder.Build();
        Reads = new SubgraphReads(_readSource, Cache, new ChainCheckpointStore(_readSource), new NoDeadLetters(),
            Options.Create(new ChainOptions { Network = TestChain.Network }),
            Options.Create(new EchainOptions { TicketContracts = [TestChain.Tickets] }));
        _projector = TestChain.Projector(projection);
        _processor = new ChainEventProcessor(_projector, Cache, NullLogger<ChainEventProcessor>.Instance);
    }

    public SubgraphReads Reads { get; }

    public RedisReadCache Cache { get; }

    public StatementCounter Statements { get; } = new();

    public async Task ApplyAsync(params ChainEvent[] events)
    {
        foreach (var e in events) await _processor.ProcessAsync(e, new RecordingPublisher(), default);
    }

    /// <summary>Projects the log without invalidating anything yet: the caller invalidates the outcome when it chooses.</summary>
    public Task<ProjectionOutcome> ProjectAsync(ChainEvent e) => _projector.ApplyAsync(e, default);

    public Task InvalidateAsync(ProjectionOutcome outcome) => Cache.InvalidateAsync(outcome.CacheResources, default);

    public async ValueTask DisposeAsync()
    {
        await _readSource.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private sealed class NoDeadLetters : IDeadLetterQueue
    {
        public Task<IReadOnlyList<DeadLetter>> ListAsync(int max, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<DeadLetter>>([]);

        public Task<int> ReplayAsync(int max, CancellationToken cancellationToken) => Task.FromResult(0);
    }
}

/// <summary>Counts the commands Npgsql reports as executed (its "Npgsql.Command" log, one entry per statement run).</summary>
internal sealed class StatementCounter : ILoggerProvider
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Statements executed while <paramref name="action"/> ran.</summary>
    public async Task<(T Result, int Statements)> CountAsync<T>(Func<Task<T>> action)
    {
        var before = Count;
        var result = await action();
        return (result, Count - before);
    }

    public ILogger CreateLogger(string categoryName) =>
        categoryName == "Npgsql.Command" ? new Counting(this) : NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class Counting(StatementCounter counter) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (state is IReadOnlyList<KeyValuePair<string, object?>> fields && fields.Any(f => f.Key == "CommandText"))
                Interlocked.Increment(ref counter._count);
        }
    }
}
