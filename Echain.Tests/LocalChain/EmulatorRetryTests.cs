using Echain.Demo.Emulator;
using Echain.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Echain.Tests.LocalChain;

/// <summary>At least once: a failed or unanswered attempt is sent again, same event, after a doubling delay.</summary>
public sealed class EmulatorRetryTests(AnvilServer anvil) : IClassFixture<AnvilServer>
{
    private const string Secret = "retry-secret";

    [Fact]
    public async Task A_webhook_answering_500_twice_gets_the_same_delivery_again_after_delays_that_double()
    {
        var baseDelay = TimeSpan.FromMilliseconds(200);
        var scenario = await PurchaseScenario.ReadyAsync(anvil);
        var (_, _, attempts, counts) = await scenario.PurchaseThroughEmulatorAsync(anvil, [scenario.Tickets(Secret, "TicketPurchased")],
            o => o with { Retry = o.Retry with { BaseDelay = baseDelay } },
            (_, attempt, _) => Task.FromResult(attempt <= 2 ? StatusCodes.Status500InternalServerError : StatusCodes.Status202Accepted));

        Assert.Equal(3, attempts.Count);
        Assert.Single(attempts.Select(a => a.EventId).Distinct());
        Assert.Single(attempts.Select(a => Convert.ToHexString(a.Body)).Distinct());
        Assert.All(attempts, a => Assert.True(a.SignedWith(Secret)));
        // Lower bounds only: each wait is at least the policy's (base, then twice the base); how much
        // longer depends on the machine.
        Assert.InRange(attempts[1].ReceivedAt - attempts[0].ReceivedAt, baseDelay * 0.95, TimeSpan.MaxValue);
        Assert.InRange(attempts[2].ReceivedAt - attempts[1].ReceivedAt, baseDelay * 2 * 0.95, TimeSpan.MaxValue);
        Assert.Equal((1L, 2L, 0L), (counts.Delivered, counts.Retries, counts.FailedPermanently));
    }

    [Fact]
    public async Task A_webhook_that_does_not_answer_within_the_request_timeout_has_failed_and_is_retried()
    {
        var scenario = await PurchaseScenario.ReadyAsync(anvil);
        var abandoned = new TaskCompletionSource();
        var (_, _, attempts, counts) = await scenario.PurchaseThroughEmulatorAsync(anvil, [scenario.Tickets(Secret, "TicketPurchased")],
            o => o with { Retry = o.Retry with { RequestTimeout = TimeSpan.FromSeconds(1) } },
            async (_, attempt, aborted) =>
            {
                if (attempt == 1)
                {
                    // Far longer than the request timeout: only the sender hanging up ends this wait.
                    aborted.Register(() => abandoned.TrySetResult());
                    await Task.Delay(TimeSpan.FromSeconds(30), aborted);
                }
                return StatusCodes.Status202Accepted;
            });

        // On a loaded machine an attempt may also time out before it reaches the server: the server
        // then sees fewer attempts than the sender made, never more.
        Assert.Equal(2, attempts.Count);
        Assert.Equal(attempts[0].EventId, attempts[1].EventId);
        await abandoned.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, counts.Delivered);
        Assert.True(counts.Retries >= 1, $"retries: {counts.Retries}");
    }

    [Fact]
    public async Task A_delivery_is_given_up_after_the_last_attempt_and_counted_as_failed_permanently()
    {
        var scenario = await PurchaseScenario.ReadyAsync(anvil);
        var (_, _, attempts, counts) = await scenario.PurchaseThroughEmulatorAsync(anvil, [scenario.Tickets(Secret, "TicketPurchased")],
            o => o with { Retry = o.Retry with { MaxAttempts = 3 } },
            (_, _, _) => Task.FromResult(StatusCodes.Status503ServiceUnavailable));

        Assert.Equal(3, attempts.Count);
        Assert.Equal((0L, 2L, 1L), (counts.Delivered, counts.Retries, counts.FailedPermanently));
    }

    [Theory]
    [InlineData(1, 1000)]
    [InlineData(2, 2000)]
    [InlineData(6, 32000)]
    [InlineData(7, 60000)]
    [InlineData(59, 60000)]
    public void The_delay_doubles_from_the_base_up_to_the_cap(int failedAttempt, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), new DeliveryRetryPolicy().DelayAfter(failedAttempt));

    [Fact]
    public void Doubling_towards_a_cap_beyond_any_real_delay_ends_at_the_cap_instead_of_overflowing() =>
        Assert.Equal(TimeSpan.MaxValue, new DeliveryRetryPolicy { MaxDelay = TimeSpan.MaxValue }.DelayAfter(60));
}
