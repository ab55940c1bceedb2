using System.Diagnostics;
using Echain.Core;
using Echain.Core.Health;
using Echain.Core.Queue;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using StackExchange.Redis;

namespace Echain.Functions.Shared.Apis;

public static class HealthApi
{
    public const string LogCategory = "Echain.Health";
    /// <summary>A probe that has not answered by then counts as down ("timeout"): health must answer even when a dependency hangs.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/health", GetHealthAsync).WithCdpHealth().Produces<Health>(StatusCodes.Status503ServiceUnavailable).WithTags("Operations");
        return app;
    }

    /// <param name="Status">"up" or "down".</param>
    /// <param name="Ok">Status == "up" (what readers checked before Status existed).</param>
    /// <param name="Reason">Null when up; otherwise one of <see cref="OutageReason"/>'s fixed phrases, never exception text.</param>
    public sealed record Dependency(string Status, bool Ok, double LatencyMs, string? Reason)
    {
        public static Dependency Up(double latencyMs) => new("up", true, latencyMs, null);
        public static Dependency Down(double latencyMs, string reason) => new("down", false, latencyMs, reason);
    }

    public sealed record QueueHealth(long Length, long Pending, long DeadLetters);
    public sealed record Health(string Status, Dependency Postgres, Dependency Redis, QueueHealth? Queue, ChainHealth? Chain);

    /// <summary>
    /// 503 when PostgreSQL or Redis is down, with which one and a short reason (the exception itself is logged):
    /// the on-call engineer's first read. "degraded" (still 200: webhooks and reads work) when no RPC node answers or
    /// the reconciler falls behind or stops.
    /// </summary>
    public static async Task<Results<Ok<Health>, JsonHttpResult<Health>>> GetHealthAsync(
        NpgsqlDataSource postgres, IConnectionMultiplexer redis, ChainHealthProbe chain, ILoggerFactory loggers, HttpResponse response,
        CancellationToken ct,
        // Registered only on the standalone host; [FromServices] so that its absence is null, not an inferred body.
        [FromServices] IChainEventQueueMonitor? queue = null)
    {
        // A live probe: every answer is new (latencies), so no ETag and nothing may keep a copy.
        response.Headers.CacheControl = "no-store";
        var log = loggers.CreateLogger(LogCategory);
        var pg = await ProbeAsync("postgres", log, async () =>
        {
            await using var command = postgres.CreateCommand("select 1");
            await command.ExecuteScalarAsync(ct);
        });
        var rd = await ProbeAsync("redis", log, () => redis.GetDatabase().PingAsync());
        QueueHealth? queueHealth = null;
        // Under the Functions host the queue is Service Bus, which Azure monitors; standalone reports the stream.
        if (rd.Ok && queue is not null)
        {
            var stats = await queue.GetStatsAsync();
            queueHealth = new QueueHealth(stats.Length, stats.Pending, stats.DeadLetters);
        }
        var chainHealth = await chain.ProbeAsync(pg.Ok, ct);
        var status = !pg.Ok || !rd.Ok ? "unhealthy" : chainHealth?.Problem is not null ? "degraded" : "healthy";
        var health = new Health(status, pg, rd, queueHealth, chainHealth);
        return pg.Ok && rd.Ok ? TypedResults.Ok(health) : TypedResults.Json(health, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<Dependency> ProbeAsync(string name, ILogger log, Func<Task> probe)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await probe().WaitAsync(ProbeTimeout);
            return Dependency.Up(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        // Whatever the failure, health answers: the reason is a fixed phrase, the exception goes to the log only.
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var reason = OutageReason.Describe(e);
            EchainMetrics.DependencyDown.Add(1, new KeyValuePair<string, object?>("dependency", name), new KeyValuePair<string, object?>("reason", reason));
            log.LogWarning(e, "Health: {Dependency} is down ({Reason})", name, reason);
            return Dependency.Down(Stopwatch.GetElapsedTime(started).TotalMilliseconds, reason);
        }
    }
}
