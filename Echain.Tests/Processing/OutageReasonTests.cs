using Echain.Core;
using Echain.Core.Health;
using Echain.Functions.Shared.Http;
using Echain.LocalServices;
using Microsoft.AspNetCore.Http;
using Npgsql;
using StackExchange.Redis;

namespace Echain.Tests.Processing;

/// <summary>
/// The fixed phrases and problems made from what the real clients throw: Npgsql and StackExchange.Redis pointed at
/// a port nothing listens on, and exceptions a bug would raise. No answer may carry the exception's own text.
/// </summary>
public sealed class OutageReasonTests
{
    [Fact]
    public async Task Npgsql_against_a_closed_port_is_connection_refused_and_a_503()
    {
        var closed = LoopbackPort.Free();
        await using var source = NpgsqlDataSource.Create($"Host=127.0.0.1;Port={closed};Username=postgres;Timeout=5");
        var failure = await Assert.ThrowsAsync<NpgsqlException>(async () =>
        {
            await using var connection = await source.OpenConnectionAsync();
        });

        Assert.Equal(OutageReason.ConnectionRefused, OutageReason.Describe(failure));
        var problem = ExceptionProblems.ProblemFor(failure);
        Assert.Equal(503, problem.Status);
        Assert.Equal(ApiProblem.TypeBase + "service-unavailable", problem.Type);
        Assert.Equal("5", problem.RetryAfter);
        Assert.DoesNotContain(closed.ToString(System.Globalization.CultureInfo.InvariantCulture), problem.Detail);
    }

    [Fact]
    public async Task Redis_without_a_server_is_not_connected_and_a_503()
    {
        var closed = LoopbackPort.Free();
        using var redis = await ConnectionMultiplexer.ConnectAsync(RedisConnectionDefaults.Parse($"127.0.0.1:{closed}"));
        var failure = await Assert.ThrowsAsync<RedisConnectionException>(() => redis.GetDatabase().PingAsync());

        Assert.Contains(OutageReason.Describe(failure), new[] { OutageReason.NotConnected, OutageReason.ConnectionRefused });
        Assert.Equal(503, ExceptionProblems.ProblemFor(failure).Status);
    }

    [Fact]
    public void A_bug_is_500_with_a_fixed_detail_and_no_retry_after()
    {
        var bug = new InvalidOperationException("Sequence contains no elements at Npgsql 9.0.3 on host db.internal");
        var problem = ExceptionProblems.ProblemFor(bug);
        Assert.Equal(500, problem.Status);
        Assert.Equal(ApiProblem.TypeBase + "internal-error", problem.Type);
        Assert.Null(problem.RetryAfter);
        Assert.DoesNotContain("Npgsql", problem.Detail);
        Assert.DoesNotContain("db.internal", problem.Detail);
        Assert.Equal(OutageReason.Unexpected, OutageReason.Describe(bug));
    }

    [Fact]
    public void A_request_kestrel_could_not_read_keeps_its_4xx()
    {
        var cut = new BadHttpRequestException("Unexpected end of request content.", StatusCodes.Status400BadRequest);
        Assert.Equal((400, ApiProblem.TypeBase + "invalid-request"), (ExceptionProblems.ProblemFor(cut).Status, ExceptionProblems.ProblemFor(cut).Type));
        var large = new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
        Assert.Equal((413, ApiProblem.TypeBase + "payload-too-large"), (ExceptionProblems.ProblemFor(large).Status, ExceptionProblems.ProblemFor(large).Type));
    }

    [Fact]
    public void A_timeout_inside_a_client_exception_is_timeout()
    {
        var wrapped = new NpgsqlException("Exception while reading from stream", new TimeoutException("Timeout during reading attempt"));
        Assert.Equal(OutageReason.Timeout, OutageReason.Describe(wrapped));
        Assert.Equal(503, ExceptionProblems.ProblemFor(wrapped).Status);
    }
}
