using Echain.Core.Queue;
using Echain.Core.Webhooks;

namespace Echain.Functions.Shared.Apis;

/// <summary>
/// A <see cref="CoinbaseWebhookIngest"/> around a given queue: the Functions webhook's per-invocation <c>outEvents</c>
/// output, or the host's registered queue for a delivery replay.
/// </summary>
public sealed class WebhookIngestFactory(IServiceProvider services)
{
    private static readonly ObjectFactory<CoinbaseWebhookIngest> Factory =
        ActivatorUtilities.CreateFactory<CoinbaseWebhookIngest>([typeof(IChainEventQueue)]);

    public CoinbaseWebhookIngest Create(IChainEventQueue queue) => Factory(services, [queue]);
}
