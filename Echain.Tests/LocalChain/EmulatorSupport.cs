using System.Collections.Concurrent;
using System.Numerics;
using System.Text.Json;
using Echain.Core;
using Echain.Core.Webhooks;
using Echain.Demo.Chain;
using Echain.Demo.Emulator;
using Echain.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nethereum.RPC.Eth.DTOs;

namespace Echain.Tests.LocalChain;

/// <summary>One request as the webhook received it.</summary>
public sealed record CapturedWebhook(DateTimeOffset ReceivedAt, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string EventId => Headers["X-Event-Id"];

    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public (string Transaction, int LogIndex) Log => (Json.GetProperty("transaction_hash").GetString()!, Json.GetProperty("log_index").GetInt32());

    /// <summary>Whether the signature verifies with <paramref name="secret"/> now, as the app checks it.</summary>
    public bool SignedWith(string secret) =>
        new CoinbaseSignature(Options.Create(new CoinbaseOptions { WebhookSecrets = [secret] }), TimeProvider.System)
            .Verify(Headers, Body).IsValid;
}

/// <summary>
/// A real Kestrel webhook on a free loopback port that records every request and answers with the
/// status <c>answer(request, attempt)</c> gives (attempt: how often this X-Event-Id has arrived, from 1).
/// </summary>
public sealed class WebhookCapture : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<CapturedWebhook> _requests = new();
    private readonly ConcurrentDictionary<string, int> _attempts = new();

    private WebhookCapture(Func<CapturedWebhook, int, CancellationToken, Task<int>> answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/api/webhooks/coinbase", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var request = new CapturedWebhook(DateTimeOffset.UtcNow, headers, body.ToArray());
            _requests.Enqueue(request);
            var attempt = headers.TryGetValue("X-Event-Id", out var id) ? _attempts.AddOrUpdate(id, 1, (_, n) => n + 1) : 1;
            return Results.StatusCode(await answer(request, attempt, context.RequestAborted));
        });
    }

    public static async Task<WebhookCapture> StartAsync(Func<CapturedWebhook, int, CancellationToken, Task<int>>? answer = null)
    {
        var capture = new WebhookCapture(answer ?? ((_, _, _) => Task.FromResult(StatusCodes.Status202Accepted)));
        await capture._app.StartAsync();
        return capture;
    }

    public Uri Url => new(new Uri(_app.Urls.First()), "api/webhooks/coinbase");

    /// <summary>Every request so far, in arrival order.</summary>
    public IReadOnlyList<CapturedWebhook> Requests => _requests.ToArray();

    public async Task<IReadOnlyList<CapturedWebhook>> WaitForAsync(int count)
    {
        await Eventually.TrueAsync(() => _requests.Count >= count, $"{count} webhook request(s) (have {_requests.Count})");
        return Requests;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>An event on a fresh deployment and a funded buyer who approved the price: one call away from a purchase.</summary>
public sealed record PurchaseScenario(EchainDeployment Deployment, EchainWallet Organizer, EchainWallet Buyer, BigInteger EventId)
{
    public const long Price = 25_000_000;

    /// <param name="deployment">Where; by default a fresh deployment of its own.</param>
    public static async Task<PurchaseScenario> ReadyAsync(AnvilServer anvil, int purchases = 1, EchainDeployment? deployment = null)
    {
        deployment ??= await anvil.DeployAsync();
        var organizer = await anvil.WalletAsync(deployment);
        var buyer = await anvil.WalletAsync(deployment);
        var start = DateTimeOffset.UtcNow.AddDays(30);
        var (_, eventId) = await organizer.CreateEventAsync("Base Camp", "Live", start, start.AddHours(3), 100, Price);
        await organizer.MintUsdcAsync(buyer.Address, Price * purchases);
        await buyer.ApproveTicketsAsync(Price * purchases);
        return new PurchaseScenario(deployment, organizer, buyer, eventId);
    }

    /// <summary>
    /// One purchase made while an emulator (started at the head) delivers to a fresh capture answering
    /// with <paramref name="answer"/>: what the webhook received once the emulator caught up.
    /// </summary>
    public async Task<DeliveredPurchase> PurchaseThroughEmulatorAsync(AnvilServer anvil, CdpSubscription[] subscriptions,
        Func<EmulatorOptions, EmulatorOptions>? configure = null, Func<CapturedWebhook, int, CancellationToken, Task<int>>? answer = null)
    {
        await using var capture = await WebhookCapture.StartAsync(answer);
        var options = EmulatorTo(anvil, capture.Url, subscriptions);
        await using var emulator = new CdpEmulator(configure is null ? options : configure(options));
        await emulator.StartAsync();
        var (receipt, tokenId) = await Buyer.PurchaseAsync(EventId, "VIP");
        await emulator.CaughtUpAsync((long)receipt.BlockNumber.Value);
        return new DeliveredPurchase(receipt, tokenId, capture.Requests, emulator.Counts);
    }

    /// <summary>Emulator options delivering to <paramref name="webhook"/>, retrying fast (tests wait for retries).</summary>
    public EmulatorOptions EmulatorTo(AnvilServer anvil, Uri webhook, params CdpSubscription[] subscriptions) => new()
    {
        RpcUrl = anvil.RpcUrl,
        WebhookUrl = webhook,
        Subscriptions = subscriptions,
        PollInterval = TimeSpan.FromMilliseconds(50),
        Retry = new DeliveryRetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(50), RequestTimeout = TimeSpan.FromSeconds(5) },
    };

    public CdpSubscription Tickets(string secret, string? eventName = null) =>
        new(EmulatorOptions.DefaultNetwork, Deployment.TicketContract, eventName, secret);

    public CdpSubscription Usdc(string secret, string? eventName = null) =>
        new(EmulatorOptions.DefaultNetwork, Deployment.PaymentToken, eventName, secret);
}

/// <summary>A purchase's receipt and token, every request the webhook received for it, and the emulator's counters.</summary>
public sealed record DeliveredPurchase(TransactionReceipt Receipt, BigInteger TokenId, IReadOnlyList<CapturedWebhook> Requests, EmulatorCounts Counts);
