using System.Net.Sockets;
using Npgsql;
using StackExchange.Redis;

namespace Echain.Core.Health;

/// <summary>
/// Why a dependency is down, as one fixed phrase a public answer may carry. Exception messages name client
/// library versions, hosts, thread-pool state and SQL: they go to the log, never into an answer.
/// </summary>
public static class OutageReason
{
    public const string ConnectionRefused = "connection refused";
    public const string Timeout = "timeout";
    public const string AuthenticationFailed = "authentication failed";
    public const string NotConnected = "not connected";
    public const string StartingUp = "starting up";
    public const string ShuttingDown = "shutting down";
    public const string TooManyConnections = "too many connections";
    public const string Unreachable = "host unreachable";
    public const string ConnectionLost = "connection lost";
    public const string Unexpected = "unexpected error";

    /// <summary>The phrase for <paramref name="exception"/>, looking through wrappers to the cause that says most.</summary>
    public static string Describe(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (Specific(e) is { } phrase) return phrase;
        // A client error without a specific cause (Npgsql's "Exception while connecting", a dropped Redis link).
        return exception switch
        {
            RedisConnectionException => NotConnected,
            NpgsqlException or RedisException or IOException => ConnectionLost,
            _ => Unexpected,
        };
    }

    private static string? Specific(Exception e) => e switch
    {
        TimeoutException or RedisTimeoutException => Timeout,
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => ConnectionRefused,
        SocketException { SocketErrorCode: SocketError.TimedOut } => Timeout,
        SocketException { SocketErrorCode: SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.HostNotFound
            or SocketError.TryAgain or SocketError.NoData } => Unreachable,
        SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown } => ConnectionLost,
        // 28000 invalid authorization, 28P01 invalid password.
        PostgresException { SqlState: [ '2', '8', ..] } => AuthenticationFailed,
        PostgresException { SqlState: PostgresErrorCodes.CannotConnectNow } => StartingUp,
        PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown } => ShuttingDown,
        PostgresException { SqlState: PostgresErrorCodes.TooManyConnections } => TooManyConnections,
        RedisConnectionException { FailureType: ConnectionFailureType.AuthenticationFailure } => AuthenticationFailed,
        RedisServerException r when r.Message.StartsWith("NOAUTH", StringComparison.Ordinal)
            || r.Message.StartsWith("WRONGPASS", StringComparison.Ordinal) => AuthenticationFailed,
        RedisConnectionException { FailureType: ConnectionFailureType.Loading } => StartingUp,
        _ => null,
    };
}
