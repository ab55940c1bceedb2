using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Echain.Core.Processing;
using Microsoft.Extensions.Options;

namespace Echain.Functions.AzureFunctions.Messaging;

/// <summary>Section "Echain:ServiceBus": what the handler does with Service Bus beyond the bindings.</summary>
public sealed class ServiceBusOptions
{
    public const string Section = "Echain:ServiceBus";

    /// <summary>The queue the bindings use (<see cref="FunctionCatalog.ChainEventsQueue"/>); retry copies and replays go back to it.</summary>
    public string QueueName { get; set; } = FunctionCatalog.ChainEventsQueue;

    /// <summary>First delay of a retry copy after a failure that does not count (doubling per attempt).</summary>
    public TimeSpan RetryInitial { get; set; } = RetryBackoff.Default.Initial;

    /// <summary>Longest delay between two retry copies, however long the outage.</summary>
    public TimeSpan RetryMax { get; set; } = RetryBackoff.Default.Max;

    /// <summary>How long a recorded dead-letter reason is kept: the queue's message TTL (14 days, infra/) and a day more.</summary>
    public TimeSpan ReasonRetention { get; set; } = TimeSpan.FromDays(15);

    public RetryBackoff Backoff => new(RetryInitial, RetryMax);
}

/// <summary>
/// The <see cref="ServiceBusClient"/> for the connection the bindings use (<see cref="FunctionCatalog.ServiceBusConnection"/>):
/// a connection string in <c>ServiceBusConnection</c>, or the identity-based form infra/ writes,
/// <c>ServiceBusConnection__fullyQualifiedNamespace</c> (+ <c>__credential=managedidentity</c>, <c>__clientId</c>).
/// </summary>
public static class ServiceBusClientFactory
{
    public static ServiceBusClient Create(IConfiguration configuration)
    {
        var connection = configuration.GetSection(FunctionCatalog.ServiceBusConnection);
        if (!string.IsNullOrWhiteSpace(connection.Value)) return new ServiceBusClient(connection.Value);
        var fullyQualifiedNamespace = connection["fullyQualifiedNamespace"];
        if (string.IsNullOrWhiteSpace(fullyQualifiedNamespace))
            throw new InvalidOperationException(
                $"Service Bus is not configured: set {FunctionCatalog.ServiceBusConnection} (a connection string) or " +
                $"{FunctionCatalog.ServiceBusConnection}__fullyQualifiedNamespace (a managed identity).");
        var clientId = connection["clientId"];
        // The same identity the bindings use; without __credential, whatever DefaultAzureCredential finds (az login locally).
        Azure.Core.TokenCredential credential = string.Equals(connection["credential"], "managedidentity", StringComparison.OrdinalIgnoreCase)
            ? new ManagedIdentityCredential(string.IsNullOrEmpty(clientId)
                ? ManagedIdentityId.SystemAssigned
                : ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential();
        return new ServiceBusClient(fullyQualifiedNamespace, credential);
    }
}

/// <summary>
/// The "chain-events" queue as the handler reaches it itself: one long-lived sender, receivers on the dead-letter
/// sub-queue. The client is made on first use, so a handler without Service Bus settings still starts (and a
/// retry it cannot schedule answers 500, leaving the redelivery to Service Bus).
/// </summary>
public sealed class ServiceBusQueue(IServiceProvider services, IOptions<ServiceBusOptions> options) : IAsyncDisposable
{
    private readonly Lazy<ServiceBusSender> _sender = new(() =>
        services.GetRequiredService<ServiceBusClient>().CreateSender(options.Value.QueueName));

    public ServiceBusSender Sender => _sender.Value;

    /// <summary>A peek-lock receiver on the queue's dead-letter sub-queue; the caller disposes it.</summary>
    public ServiceBusReceiver CreateDeadLetterReceiver() =>
        services.GetRequiredService<ServiceBusClient>().CreateReceiver(options.Value.QueueName,
            new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter, ReceiveMode = ServiceBusReceiveMode.PeekLock });

    public async ValueTask DisposeAsync()
    {
        if (_sender.IsValueCreated) await _sender.Value.DisposeAsync();
    }
}
