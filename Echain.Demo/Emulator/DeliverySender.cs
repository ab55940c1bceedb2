using System.Threading.Channels;

namespace Echain.Demo.Emulator;

/// <summary>
/// Sends deliveries with a bounded number of attempts in flight, at least once: a failed attempt is
/// scheduled again after the policy's delay (without holding a worker meanwhile) until a 2xx answer or
/// the last attempt. Retries re-enter at the back, so deliveries overtake each other as CDP's do.
/// </summary>
public sealed class DeliverySender : IAsyncDisposable
{
    private sealed record Attempt(CdpDelivery Delivery, int Number);

    private readonly HttpClient _http;
    private readonly Uri _webhookUrl;
    private readonly DeliveryRetryPolicy _policy;
    private readonly EmulatorCounters _counters;
    private readonly Action<string> _log;
    private readonly TimeProvider _clock;
    private readonly Action<CdpDelivery> _finished;
    private readonly Channel<Attempt> _ready = Channel.CreateUnbounded<Attempt>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _workers;
    private int _pending;

    public DeliverySender(HttpClient http, Uri webhookUrl, DeliveryRetryPolicy policy, int concurrency,
        EmulatorCounters counters, Action<string> log, TimeProvider clock, Action<CdpDelivery> finished)
    {
        _finished = finished;
        _http = http;
        _webhookUrl = webhookUrl;
        _policy = policy;
        _counters = counters;
        _log = log;
        _clock = clock;
        _workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(WorkAsync)).ToArray();
    }

    /// <summary>Deliveries accepted and neither answered 2xx nor given up yet (waiting retries included).</summary>
    public int Pending => Volatile.Read(ref _pending);

    public void Enqueue(CdpDelivery delivery)
    {
        Interlocked.Increment(ref _pending);
        if (!_ready.Writer.TryWrite(new Attempt(delivery, 1)))
            throw new InvalidOperationException("The delivery sender is stopped.");
    }

    /// <summary>Stops at once: attempts in flight are cancelled and waiting retries abandoned.</summary>
    public async ValueTask DisposeAsync()
    {
        _ready.Writer.TryComplete();
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
        _stop.Dispose();
    }

    private async Task WorkAsync()
    {
        var ct = _stop.Token;
        try
        {
            await foreach (var attempt in _ready.Reader.ReadAllAsync(ct))
            {
                var failure = await TryAsync(attempt.Delivery, ct);
                if (failure is null)
                {
                    _counters.Delivered();
                    _finished(attempt.Delivery);
                    Interlocked.Decrement(ref _pending);
                }
                else if (attempt.Number >= _policy.MaxAttempts)
                {
                    _counters.FailedPermanently();
                    _finished(attempt.Delivery);
                    Interlocked.Decrement(ref _pending);
                    _log($"delivery {attempt.Delivery} given up after {attempt.Number} attempts: {failure}");
                }
                else
                {
                    var delay = _policy.DelayAfter(attempt.Number);
                    if (attempt.Number == 1)
                        _log($"delivery {attempt.Delivery} failed: {failure}; retrying, first in {delay.TotalSeconds:0.###} s");
                    _counters.Retried();
                    _ = RetryLaterAsync(attempt with { Number = attempt.Number + 1 }, delay, ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopped: what is still in flight is abandoned, as a stopped subscription's would be.
        }
    }

    /// <summary>One attempt; null when the webhook answered 2xx, else why it failed.</summary>
    private async Task<string?> TryAsync(CdpDelivery delivery, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_policy.RequestTimeout);
        var sender = new WebhookSender(_http, _webhookUrl, delivery.Subscription.Secret, _clock);
        try
        {
            using var response = await sender.SendAsync(delivery.Body, delivery.EventId, timeout.Token);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return $"no answer within {_policy.RequestTimeout.TotalSeconds:0.###} s";
        }
        catch (HttpRequestException e)
        {
            return e.Message;
        }
    }

    private async Task RetryLaterAsync(Attempt next, TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, _clock, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return;
        }
        _ready.Writer.TryWrite(next); // refused only once stopped, when waiting retries are abandoned anyway
    }
}
