using StackExchange.Redis;

namespace Echain.Core;

/// <summary>
/// Multiplexer settings the cache (and any Redis-backed queue) are designed around: use them for every
/// multiplexer Echain creates.
/// </summary>
public static class RedisConnectionDefaults
{
    /// <summary>Parses <paramref name="configuration"/> and applies Echain's defaults over it.</summary>
    public static ConfigurationOptions Parse(string configuration)
    {
        var options = ConfigurationOptions.Parse(configuration);
        // Start even when Redis is down: reads fall back to Postgres, webhooks answer 503.
        options.AbortOnConnectFail = false;
        // While disconnected, fail at once instead of backlogging every command for the full timeout:
        // a webhook must get its 503 and a read its Postgres fallback quickly.
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ConnectTimeout = 2000;
        options.SyncTimeout = 2000;
        options.AsyncTimeout = 2000;
        // Come back soon after a Redis restart (the default backs off for much longer).
        options.ReconnectRetryPolicy = new ExponentialRetry(250, 5000);
        return options;
    }
}
