using System.Text.Json.Nodes;
using Echain.Functions.AzureFunctions;

namespace Echain.Tests.FunctionsHost;

/// <summary>
/// The function.json the catalog generates, pinned where a change would break the deployment silently: the Functions
/// host only reads these files when it starts, and infra/ and the clients depend on their names and settings.
/// </summary>
public sealed class FunctionCatalogTests
{
    private static JsonObject[] Bindings(string function) =>
        JsonNode.Parse(FunctionCatalog.All.Single(f => f.Name == function).ToFunctionJson())!["bindings"]!.AsArray()
            .Select(b => b!.AsObject()).ToArray();

    private static IEnumerable<JsonObject> AllBindings => FunctionCatalog.All.SelectMany(f => Bindings(f.Name));

    private static string Text(JsonObject binding, string property) => binding[property]!.GetValue<string>();

    [Fact]
    public void Function_names_are_unique_and_each_function_has_one_trigger_first()
    {
        Assert.Equal(FunctionCatalog.All.Count, FunctionCatalog.All.Select(f => f.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        foreach (var function in FunctionCatalog.All)
        {
            var bindings = Bindings(function.Name);
            Assert.EndsWith("Trigger", Text(bindings[0], "type"));
            Assert.Single(bindings, b => Text(b, "type").EndsWith("Trigger"));
            Assert.Equal(bindings.Length, bindings.Select(b => Text(b, "name")).Distinct().Count());
        }
    }

    [Fact]
    public void Negotiate_is_forwarded_without_an_input_binding_so_no_client_header_is_needed()
    {
        // A signalRConnectionInfo input would resolve its userId from the request before the handler runs.
        var function = FunctionCatalog.All.Single(f => f.Name == "Negotiate");
        Assert.Equal(FunctionMode.Forwarded, function.Mode);
        Assert.Equal(["httpTrigger", "http"], Bindings("Negotiate").Select(b => Text(b, "type")));
        Assert.DoesNotContain(AllBindings, b => Text(b, "type") == "signalRConnectionInfo");
    }

    [Fact]
    public void Every_signalr_binding_uses_the_echain_hub_and_the_connection_setting_infra_provides()
    {
        var signalR = AllBindings.Where(b => Text(b, "type").StartsWith("signalR")).ToArray();
        // messages (processor, reconciler, OnConnected's proof), join and leave group actions, OnConnected's trigger
        Assert.Equal(6, signalR.Length);
        Assert.All(signalR, b => Assert.Equal("echain", Text(b, "hubName")));
        Assert.All(signalR, b => Assert.Equal("AzureSignalRConnectionString", Text(b, "connectionStringSetting")));
    }

    [Fact]
    public void OnConnected_is_triggered_by_connected_events_of_the_echain_hub_and_sends_messages()
    {
        var bindings = Bindings("OnConnected");
        Assert.Equal(("signalRTrigger", "in", "invocation", "echain", "connections", "connected"),
            (Text(bindings[0], "type"), Text(bindings[0], "direction"), Text(bindings[0], "name"), Text(bindings[0], "hubName"),
                Text(bindings[0], "category"), Text(bindings[0], "event")));
        Assert.Equal(("signalR", "out", "signalRMessages"), (Text(bindings[1], "type"), Text(bindings[1], "direction"), Text(bindings[1], "name")));
        Assert.Equal(2, bindings.Length);
    }

    [Fact]
    public void The_webhook_sends_to_and_the_processor_reads_one_message_at_a_time_from_chain_events()
    {
        var output = Assert.Single(Bindings("CoinbaseWebhook"), b => Text(b, "type") == "serviceBus");
        Assert.Equal(("out", "outEvents", "chain-events", "ServiceBusConnection"),
            (Text(output, "direction"), Text(output, "name"), Text(output, "queueName"), Text(output, "connection")));

        var trigger = Bindings("ProcessChainEvent")[0];
        Assert.Equal(("serviceBusTrigger", "in", "message", "chain-events", "ServiceBusConnection", "one"),
            (Text(trigger, "type"), Text(trigger, "direction"), Text(trigger, "name"), Text(trigger, "queueName"),
                Text(trigger, "connection"), Text(trigger, "cardinality")));
        var messages = Assert.Single(Bindings("ProcessChainEvent"), b => Text(b, "type") == "signalR");
        Assert.Equal(("out", "signalRMessages"), (Text(messages, "direction"), Text(messages, "name")));
    }

    [Fact]
    public void Every_http_function_is_anonymous_with_req_and_res_and_the_payload_routes_are_the_public_contract()
    {
        foreach (var function in FunctionCatalog.All.Where(f => f.Trigger is HttpTriggerBinding))
        {
            var bindings = Bindings(function.Name);
            Assert.Equal(("httpTrigger", "req", "anonymous"), (Text(bindings[0], "type"), Text(bindings[0], "name"), Text(bindings[0], "authLevel")));
            Assert.Equal(("http", "out", "res"), (Text(bindings[^1], "type"), Text(bindings[^1], "direction"), Text(bindings[^1], "name")));
        }

        // Clients and the CDP webhook subscription call these; the forwarded routes are checked against the app's own endpoints.
        string Trigger(string function) =>
            $"{string.Join(",", Bindings(function)[0]["methods"]!.AsArray().Select(m => m!.GetValue<string>()))} {Text(Bindings(function)[0], "route")}";
        Assert.Equal("post webhooks/coinbase", Trigger("CoinbaseWebhook"));
        Assert.Equal("post negotiate", Trigger("Negotiate"));
        Assert.Equal("post realtime/groups/{eventId}", Trigger("JoinEventGroup"));
        Assert.Equal("delete realtime/groups/{eventId}", Trigger("LeaveEventGroup"));
        Assert.Equal("get web/{*path}", Trigger("WebPages"));
        var groupActions = Bindings("JoinEventGroup").Concat(Bindings("LeaveEventGroup")).Where(b => Text(b, "type") == "signalR");
        Assert.All(groupActions, b => Assert.Equal(("out", "signalRGroupActions"), (Text(b, "direction"), Text(b, "name"))));
    }

    [Fact]
    public void Forwarded_functions_have_exactly_the_forwarding_shape_and_payload_functions_do_not()
    {
        foreach (var function in FunctionCatalog.All)
        {
            var types = Bindings(function.Name).Select(b => Text(b, "type")).ToArray();
            // enableForwardingHttpRequest forwards only a function with exactly one httpTrigger and one http output.
            var forwardingShape = types is ["httpTrigger", "http"];
            Assert.True(forwardingShape == (function.Mode == FunctionMode.Forwarded), $"{function.Name}: {function.Mode} but bindings {string.Join(", ", types)}");
            Assert.True((function.Handler is null) == (function.Mode == FunctionMode.Forwarded), function.Name);
        }
        Assert.Throws<ArgumentException>(() =>
            FunctionDefinition.Payload("Nope", HttpTriggerBinding.Get("nope"), () => InvocationResult.Ok(), new HttpOutputBinding()));
    }

    [Fact]
    public void The_metadata_command_writes_one_function_json_per_function()
    {
        var root = Directory.CreateTempSubdirectory("echain-metadata-").FullName;
        try
        {
            Assert.Equal(FunctionCatalog.All.Count, FunctionCatalog.WriteFunctionJson(root));
            foreach (var function in FunctionCatalog.All)
                Assert.Equal(function.ToFunctionJson(), File.ReadAllText(Path.Combine(root, function.Name, "function.json")));
            Assert.Equal(FunctionCatalog.All.Count, Directory.GetDirectories(root).Length);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
