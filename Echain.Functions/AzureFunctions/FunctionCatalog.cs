namespace Echain.Functions.AzureFunctions;

/// <summary>
/// Every function of the Azure Functions package, declared once. From this list scripts/publish-functions.sh writes
/// each <c>&lt;Name&gt;/function.json</c> (<c>Echain.Functions --write-function-metadata &lt;dir&gt;</c>), the handler maps
/// <c>POST /{Name}</c> for each payload-mode function, and docs/azure-functions.md's table is checked against it.
/// </summary>
public static class FunctionCatalog
{
    /// <summary>The executable's packaging command: writes the function.json folders and exits, no host is built.</summary>
    public const string WriteMetadataCommand = "--write-function-metadata";

    /// <summary>The Service Bus queue between the webhook and the processor (infra/modules/servicebus.bicep creates it).</summary>
    public const string ChainEventsQueue = "chain-events";
    /// <summary>App setting prefix of the identity-based Service Bus connection (infra/modules/functionapp.bicep).</summary>
    public const string ServiceBusConnection = "ServiceBusConnection";
    /// <summary>The SignalR Service hub every client connects to.</summary>
    public const string HubName = "echain";
    /// <summary>App setting holding the SignalR Service connection string (infra/modules/functionapp.bicep).</summary>
    public const string SignalRConnection = "AzureSignalRConnectionString";

    public static IReadOnlyList<FunctionDefinition> All { get; } =
    [
        FunctionDefinition.Payload(CoinbaseWebhookFunction.Name, HttpTriggerBinding.Post("webhooks/coinbase"), CoinbaseWebhookFunction.RunAsync,
            new ServiceBusOutputBinding(BindingNames.OutEvents, ChainEventsQueue, ServiceBusConnection),
            new HttpOutputBinding()),
        FunctionDefinition.Payload(ProcessChainEventFunction.Name,
            new ServiceBusTriggerBinding(ChainEventsQueue, ServiceBusConnection, BindingNames.Message), ProcessChainEventFunction.RunAsync,
            new SignalROutputBinding(BindingNames.SignalRMessages, HubName, SignalRConnection)),
        FunctionDefinition.Payload(OnConnectedFunction.Name,
            new SignalRTriggerBinding(HubName, OnConnectedFunction.Category, OnConnectedFunction.Event, SignalRConnection), OnConnectedFunction.Run,
            new SignalROutputBinding(BindingNames.SignalRMessages, HubName, SignalRConnection)),
        FunctionDefinition.Payload(JoinEventGroupFunction.Name, HttpTriggerBinding.Post("realtime/groups/{eventId}"), JoinEventGroupFunction.Run,
            new SignalROutputBinding(BindingNames.SignalRGroupActions, HubName, SignalRConnection),
            new HttpOutputBinding()),
        FunctionDefinition.Payload(LeaveEventGroupFunction.Name, HttpTriggerBinding.Delete("realtime/groups/{eventId}"), LeaveEventGroupFunction.Run,
            new SignalROutputBinding(BindingNames.SignalRGroupActions, HubName, SignalRConnection),
            new HttpOutputBinding()),
        FunctionDefinition.Payload(ReconcileChainFunction.Name, new TimerTriggerBinding(ReconcileChainFunction.Schedule), ReconcileChainFunction.RunAsync,
            new ServiceBusOutputBinding(BindingNames.OutEvents, ChainEventsQueue, ServiceBusConnection),
            new SignalROutputBinding(BindingNames.SignalRMessages, HubName, SignalRConnection)),
        FunctionDefinition.Payload(PruneRealtimeHistoryFunction.Name, new TimerTriggerBinding(PruneRealtimeHistoryFunction.Schedule),
            PruneRealtimeHistoryFunction.RunAsync),

        // Forwarded: the app's own endpoints answer these (Echain.Functions/Shared), in both hosts.
        // Negotiate's endpoint is the handler's own (NegotiateFunction): it mints the SignalR Service connection itself.
        FunctionDefinition.Forwarded(NegotiateFunction.Name, HttpTriggerBinding.Post("negotiate")),
        FunctionDefinition.Forwarded("GetEvent", HttpTriggerBinding.Get("events/{eventId}")),
        FunctionDefinition.Forwarded("ListEvents", HttpTriggerBinding.Get("events")),
        FunctionDefinition.Forwarded("GetEventTickets", HttpTriggerBinding.Get("events/{eventId}/tickets")),
        FunctionDefinition.Forwarded("GetEventActivity", HttpTriggerBinding.Get("events/{eventId}/activity")),
        FunctionDefinition.Forwarded("GetEventAnalytics", HttpTriggerBinding.Get("events/{eventId}/analytics")),
        FunctionDefinition.Forwarded("GetUserTickets", HttpTriggerBinding.Get("users/{address}/tickets")),
        FunctionDefinition.Forwarded("GetUserBalances", HttpTriggerBinding.Get("users/{address}/balances")),
        FunctionDefinition.Forwarded("GetUserTransactions", HttpTriggerBinding.Get("users/{address}/transactions")),
        FunctionDefinition.Forwarded("GetTicketMetadata", HttpTriggerBinding.Get("tickets/{tokenId}/metadata")),
        FunctionDefinition.Forwarded("GetTicketImage", HttpTriggerBinding.Get("tickets/{tokenId}/image.svg")),
        FunctionDefinition.Forwarded("GetUserAnalytics", HttpTriggerBinding.Get("users/{address}/analytics")),
        // Named like its route, as the README names it to the frontend team.
        FunctionDefinition.Forwarded("graphql", new HttpTriggerBinding(["get", "post"], "graphql")),
        FunctionDefinition.Forwarded("Health", HttpTriggerBinding.Get("health")),
        FunctionDefinition.Forwarded("GetChain", HttpTriggerBinding.Get("chain")),
        FunctionDefinition.Forwarded("DevToken", HttpTriggerBinding.Post("dev/token")),
        FunctionDefinition.Forwarded("SignInNonce", HttpTriggerBinding.Get("auth/nonce")),
        FunctionDefinition.Forwarded("SignInVerify", HttpTriggerBinding.Post("auth/verify")),
        FunctionDefinition.Forwarded("GetEventGroupMessages", HttpTriggerBinding.Get("realtime/groups/{eventId}/messages")),
        FunctionDefinition.Forwarded("GetMyMessages", HttpTriggerBinding.Get("realtime/me/messages")),
        FunctionDefinition.Forwarded("WebPages", HttpTriggerBinding.Get("web/{*path}")),
        FunctionDefinition.Forwarded("OpenApiDocument", HttpTriggerBinding.Get("openapi/{documentName}.json")),
        FunctionDefinition.Forwarded("ApiDocs", HttpTriggerBinding.Get("docs/{*path}")),
        FunctionDefinition.Forwarded("ListDeliveries", HttpTriggerBinding.Get("admin/deliveries")),
        FunctionDefinition.Forwarded("ReplayDelivery", HttpTriggerBinding.Post("admin/deliveries/{id}/replay")),
        FunctionDefinition.Forwarded("GetOperatorMetrics", HttpTriggerBinding.Get("admin/metrics")),
        FunctionDefinition.Forwarded("ListDeadLetters", HttpTriggerBinding.Get("admin/dead-letters")),
        FunctionDefinition.Forwarded("ReplayDeadLetters", HttpTriggerBinding.Post("admin/dead-letters/replay")),
    ];

    /// <summary>Writes every function's function.json under <paramref name="packageRoot"/>; returns how many.</summary>
    public static int WriteFunctionJson(string packageRoot)
    {
        foreach (var function in All) function.WriteFunctionJson(packageRoot);
        return All.Count;
    }
}

/// <summary>
/// The binding names function.json declares and the handler reads (Data.&lt;name&gt;) or writes (Outputs.&lt;name&gt;).
/// </summary>
public static class BindingNames
{
    public const string Request = "req";
    public const string Response = "res";
    public const string OutEvents = "outEvents";
    public const string Message = "message";
    public const string SignalRMessages = "signalRMessages";
    public const string SignalRGroupActions = "signalRGroupActions";
    public const string Timer = "timer";
    public const string Invocation = "invocation";
}
