using System.Diagnostics;
using Echain.Core.Queue;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using StackExchange.Redis;

namespace Echain.Functions.Shared.Apis;

public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/health", GetHealthAsync).WithCdpHealth();
        return app;
    }

    public sealed record Dependency(bool Ok, double LatencyMs, string? Error);
    public sealed record QueueHealth(long Length, long Pending, long DeadLetters);
    public sealed record Health(string Status, Dependency Postgres, Dependency Redis, QueueHealth? Queue, ChainHealth? Chain);

    /// <summary>
    /// 503 when PostgreSQL or Redis is down, with which one and why: the on-call engineer's first read. "degraded"
    /// (still 200: webhooks and reads work) when no RPC node answers or the reconciler falls behind or stops.
    /// </summary>
    public static async Task<Results<Ok<Health>, JsonHttpResult<Health>>> GetHealthAsync(
        NpgsqlDataSource postgres, IConnectionMultiplexer redis, ChainHealthProbe chain, CancellationToken ct,
        // Registered only on the standalone host; [FromServices] so that its absence is null, not an inferred body.
        [FromServices] IChainEventQueueMonitor? queue = null)
    {
        var pg = await ProbeAsync(async () =>
        {
            await using var command = postgres.CreateCommand("select 1");
            await command.ExecuteScalarAsync(ct);
        });
        var rd = await ProbeAsync(() => redis.GetDatabase().PingAsync());
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

    private static async Task<Dependency> ProbeAsync(Func<Task> probe)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await probe().WaitAsync(TimeSpan.FromSeconds(2));
            return new Dependency(true, Stopwatch.GetElapsedTime(started).TotalMilliseconds, null);
        }
        catch (Exception e) when (e is NpgsqlException or RedisException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return new Dependency(false, Stopwatch.GetElapsedTime(started).TotalMilliseconds, e.Message);
        }
    }
}
