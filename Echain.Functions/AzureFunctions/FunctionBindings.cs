using System.Text.Json.Nodes;

namespace Echain.Functions.AzureFunctions;

/// <summary>
/// One entry of a function.json <c>bindings</c> array. <see cref="ToJson"/> writes <c>type</c>, <c>direction</c> and
/// <c>name</c> first, then the binding's own properties, in the order the extension documentation lists them.
/// </summary>
public abstract record FunctionBinding(string Type, string Direction, string Name)
{
    public JsonObject ToJson()
    {
        var json = new JsonObject { ["type"] = Type, ["direction"] = Direction, ["name"] = Name };
        foreach (var (property, value) in Properties()) json[property] = value;
        return json;
    }

    /// <summary>The properties besides type, direction and name, as function.json spells them.</summary>
    public abstract IEnumerable<(string Property, JsonNode? Value)> Properties();
}

/// <summary>A binding that starts the function; every function has exactly one.</summary>
public abstract record TriggerBinding(string Type, string Name) : FunctionBinding(Type, "in", Name);

/// <summary>
/// <c>httpTrigger</c>: the route is under the host's <c>routePrefix</c> (<c>api</c>). Anonymous, because the app does
/// its own authentication (webhook signatures, user tokens); a function key would only be a second secret to manage.
/// </summary>
public sealed record HttpTriggerBinding(IReadOnlyList<string> Methods, string Route, string Name = BindingNames.Request)
    : TriggerBinding("httpTrigger", Name)
{
    public string AuthLevel { get; init; } = "anonymous";

    public static HttpTriggerBinding Get(string route) => new(["get"], route);
    public static HttpTriggerBinding Post(string route) => new(["post"], route);
    public static HttpTriggerBinding Delete(string route) => new(["delete"], route);

    public override IEnumerable<(string Property, JsonNode? Value)> Properties() =>
    [
        ("authLevel", JsonValue.Create(AuthLevel)),
        ("methods", new JsonArray(Methods.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray())),
        ("route", JsonValue.Create(Route)),
    ];
}

/// <summary><c>serviceBusTrigger</c> on a queue, one message per invocation (the processor takes one event).</summary>
public sealed record ServiceBusTriggerBinding(string QueueName, string Connection, string Name) : TriggerBinding("serviceBusTrigger", Name)
{
    public string Cardinality { get; init; } = "one";

    public override IEnumerable<(string Property, JsonNode? Value)> Properties() =>
    [
        ("queueName", JsonValue.Create(QueueName)),
        ("connection", JsonValue.Create(Connection)),
        ("cardinality", JsonValue.Create(Cardinality)),
    ];
}

/// <summary>
/// <c>timerTrigger</c> (in the extension bundle): NCRONTAB with seconds. Not run at start-up (a scale-out would run it
/// once per new instance); the host's schedule monitor makes a missed occurrence run late instead of never.
/// </summary>
public sealed record TimerTriggerBinding(string Schedule, string Name = BindingNames.Timer) : TriggerBinding("timerTrigger", Name)
{
    public override IEnumerable<(string Property, JsonNode? Value)> Properties() =>
    [
        ("schedule", JsonValue.Create(Schedule)),
        ("runOnStartup", JsonValue.Create(false)),
        ("useMonitor", JsonValue.Create(true)),
    ];
}

/// <summary>
/// <c>signalRTrigger</c>: SignalR Service (Serverless mode) calls the function app's <c>/runtime/webhooks/signalr</c>
/// for an event of <see cref="Category"/> (<c>connections</c>: <c>connected</c>/<c>disconnected</c>), through the upstream
/// URL template set on the service (infra/README.md, "SignalR upstream").
/// </summary>
public sealed record SignalRTriggerBinding(string HubName, string Category, string Event, string ConnectionStringSetting,
    string Name = BindingNames.Invocation) : TriggerBinding("signalRTrigger", Name)
{
    public override IEnumerable<(string Property, JsonNode? Value)> Properties() =>
    [
        ("hubName", JsonValue.Create(HubName)),
        ("category", JsonValue.Create(Category)),
        ("event", JsonValue.Create(Event)),
        ("connectionStringSetting", JsonValue.Create(ConnectionStringSetting)),
    ];
}

/// <summary>The <c>http</c> output: the response the host writes from Outputs.res (or the forwarded response).</summary>
public sealed record HttpOutputBinding(string Name = BindingNames.Response) : FunctionBinding("http", "out", Name)
{
    public override IEnumerable<(string Property, JsonNode? Value)> Properties() => [];
}

/// <summary><c>serviceBus</c> output: the host sends every item of the output value as one message after the handler answered.</summary>
public sealed record ServiceBusOutputBinding(string Name, string QueueName, string Connection) : FunctionBinding("serviceBus", "out", Name)
{
    public override IEnumerable<(string Property, JsonNode? Value)> Properties() =>
    [
        ("queueName", JsonValue.Create(QueueName)),
        ("connection", JsonValue.Create(Connection)),
    ];
}

/// <summary><c>signalR</c> output: messages or group actions sent to SignalR Service.</summary>
public sealed record SignalROutputBinding(string Name, string HubName, string ConnectionStringSetting) : FunctionBinding("signalR", "out", Name)
{
    public override IEnumerable<(string Property, JsonNode? Value)> Properties() =>
    [
        ("hubName", JsonValue.Create(HubName)),
        ("connectionStringSetting", JsonValue.Create(ConnectionStringSetting)),
    ];
}
