using System.Net.Http.Headers;
using Echain.Core.Webhooks;
using Echain.Demo.Chain;

namespace Echain.Demo;

/// <summary>Posts CDP activities to the webhook exactly as Coinbase does: one log per delivery, signed with X-Hook0-Signature v1.</summary>
public sealed class WebhookSender(HttpClient http, Uri webhookUrl, string secret, TimeProvider? clock = null)
{
    public const string ActivityEventType = "onchain.activity.detected";

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>A new delivery of <paramref name="activity"/>: its own event id.</summary>
    public Task<HttpResponseMessage> SendAsync(CdpActivity activity, CancellationToken ct = default) =>
        SendAsync(activity.ToJson(), Guid.NewGuid().ToString(), ct);

    /// <summary>
    /// One attempt at a delivery. A retry passes the same body and event id (Hook0 retries the same
    /// event) and is signed anew, so its timestamp stays within the receiver's tolerance.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(byte[] body, string eventId, CancellationToken ct = default)
    {
        var signed = new List<KeyValuePair<string, string>>
        {
            new("content-type", "application/json"),
            new("x-event-id", eventId),
            new("x-event-type", ActivityEventType),
        };
        var signature = CoinbaseSignature.Sign(secret, _clock.GetUtcNow().ToUnixTimeSeconds(), signed, body);
        using var request = new HttpRequestMessage(HttpMethod.Post, webhookUrl) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Event-Id", eventId);
        request.Headers.Add("X-Event-Type", ActivityEventType);
        request.Headers.Add(CoinbaseSignature.HeaderName, signature);
        return await http.SendAsync(request, ct);
    }

    /// <summary>Sends each log and fails loudly on anything but 202: a demo that hides errors teaches nothing.</summary>
    public async Task SendAllAsync(IEnumerable<CdpActivity> activities, CancellationToken ct = default)
    {
        foreach (var activity in activities)
        {
            using var response = await SendAsync(activity, ct);
            if (response.StatusCode != System.Net.HttpStatusCode.Accepted)
                throw new HttpRequestException(
                    $"Webhook answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        }
    }
}
