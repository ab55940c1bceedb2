using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Echain.Core.Webhooks;
using Echain.Demo;
using Echain.Demo.Chain;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.FunctionsHost;

/// <summary>The real app started as an Azure Functions custom handler, over private PostgreSQL and Redis.</summary>
public class FunctionsTestHost : EchainTestHost
{
    /// <summary>The SignalR Service the handler's negotiate signs for (nothing listens there: clients would connect to it).</summary>
    public const string SignalREndpoint = "https://echain-test.service.signalr.net";
    public const string SignalRAccessKey = "test-signalr-access-key-0123456789abcdefghij";
    public const string SignalRConnectionString = $"Endpoint={SignalREndpoint};AccessKey={SignalRAccessKey};Version=1.0;";

    public FunctionsTestHost() : base(functionsHost: true) => Settings["AzureSignalRConnectionString"] = SignalRConnectionString;

    /// <summary>For a fixture that stops PostgreSQL: a server of its own.</summary>
    protected FunctionsTestHost(bool privatePostgres) : base(functionsHost: true, privatePostgres) =>
        Settings["AzureSignalRConnectionString"] = SignalRConnectionString;

    /// <summary>POSTs an invocation exactly as the Functions host does and returns the handler's status and body.</summary>
    public async Task<Invocation> InvokeAsync(string function, JsonObject data, JsonObject? metadata = null)
    {
        var payload = new JsonObject { ["Data"] = data, ["Metadata"] = metadata ?? new JsonObject() };
        using var request = new HttpRequestMessage(HttpMethod.Post, Url(function))
        {
            Content = new StringContent(payload.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        // What DefaultHttpWorkerService adds to every invocation request.
        request.Headers.Add("X-Azure-Functions-HostVersion", "4.1040.300.25317");
        request.Headers.Add("X-Azure-Functions-InvocationId", Guid.NewGuid().ToString());
        request.Headers.UserAgent.ParseAdd("Azure-Functions-Host/4.1040.300.25317");
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Invocation(response.StatusCode, text.Length > 0 && text.TrimStart().StartsWith('{') ? JsonNode.Parse(text)!.AsObject() : null, text);
    }
}

public sealed record Invocation(HttpStatusCode Status, JsonObject? Body, string Text)
{
    public JsonObject Outputs => Body?["Outputs"]?.AsObject() ?? throw new Xunit.Sdk.XunitException($"no Outputs: {(int)Status} {Text}");
    public JsonObject Res => Outputs["res"]?.AsObject() ?? throw new Xunit.Sdk.XunitException($"no res: {Text}");
    public string ResStatus => Res["statusCode"]!.GetValue<string>();
    public string ResBody => Res["body"]?.GetValue<string>() ?? "";
    public JsonArray? Array(string binding) => Outputs[binding]?.AsArray();
}

/// <summary>An HTTP request as a client sends it, rendered for either host.</summary>
public sealed record ClientRequest(string Method, string Path, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body, IReadOnlyDictionary<string, string>? RouteParams = null)
{
    /// <summary>A CDP delivery signed with X-Hook0-Signature v1, as <see cref="WebhookSender"/> sends it.</summary>
    public static ClientRequest SignedWebhook(byte[] body, string secret = EchainTestHost.Secret, string contentType = "application/json",
        string method = "POST", long? timestamp = null)
    {
        var eventId = Guid.NewGuid().ToString();
        var signed = new List<KeyValuePair<string, string>>
        {
            new("content-type", contentType),
            new("x-event-id", eventId),
            new("x-event-type", "onchain.activity.detected"),
        };
        var signature = CoinbaseSignature.Sign(secret, timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds(), signed, body);
        return new ClientRequest(method, "api/webhooks/coinbase",
        [
            new("Content-Type", contentType), new("X-Event-Id", eventId), new("X-Event-Type", "onchain.activity.detected"),
            new("X-Hook0-Signature", signature),
        ], body);
    }

    public static ClientRequest SignedWebhook(CdpActivity activity) => SignedWebhook(activity.ToJson());

    /// <summary>Sends it straight to a Kestrel host (the standalone app).</summary>
    public async Task<(HttpStatusCode Status, string? ContentType, string Body, string? Allow)> SendAsync(EchainTestHost host)
    {
        using var request = new HttpRequestMessage(new HttpMethod(Method), host.Url(Path));
        request.Content = new ByteArrayContent(Body);
        foreach (var (name, value) in Headers)
            if (!request.Headers.TryAddWithoutValidation(name, value)) request.Content!.Headers.TryAddWithoutValidation(name, value);
        using var response = await host.Http.SendAsync(request);
        return (response.StatusCode, response.Content.Headers.ContentType?.ToString(), await response.Content.ReadAsStringAsync(),
            response.Content.Headers.Allow.Count > 0 ? string.Join(", ", response.Content.Headers.Allow) : null);
    }

    /// <summary>
    /// Data.req as the Functions host builds it (HttpRequestExtensions.GetRequestAsJObject): headers as arrays,
    /// the body decoded as UTF-8 with BOM detection (a leading BOM is removed) and absent without Content-Length.
    /// </summary>
    public JsonObject ToFunctionsReq(string host = "localhost:7071")
    {
        var headers = new JsonObject();
        foreach (var group in Headers.GroupBy(h => h.Key, StringComparer.OrdinalIgnoreCase))
            headers[group.Key] = new JsonArray(group.Select(h => (JsonNode?)h.Value).ToArray());
        if (Body.Length > 0) headers["Content-Length"] = new JsonArray((JsonNode?)Body.Length.ToString());
        headers["Host"] = new JsonArray((JsonNode?)host);
        var parameters = new JsonObject();
        foreach (var (name, value) in RouteParams ?? new Dictionary<string, string>()) parameters[name] = value;
        var req = new JsonObject
        {
            ["Url"] = $"http://{host}/{Path}",
            ["Method"] = Method,
            ["Query"] = new JsonObject(),
            ["Headers"] = headers,
            ["Params"] = parameters,
            ["Identities"] = new JsonArray(new JsonObject
            {
                ["AuthenticationType"] = null, ["IsAuthenticated"] = false, ["Actor"] = null, ["BootstrapContext"] = null,
                ["Claims"] = new JsonArray(), ["Label"] = null, ["Name"] = null,
                ["NameClaimType"] = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
                ["RoleClaimType"] = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
            }),
        };
        if (Body.Length > 0)
        {
            using var reader = new StreamReader(new MemoryStream(Body), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            req["Body"] = reader.ReadToEnd();
        }
        return req;
    }

    /// <summary>Metadata of an HTTP-triggered invocation: route params and sys values JSON-encoded a second time.</summary>
    public JsonObject ToFunctionsMetadata(string functionName)
    {
        var metadata = new JsonObject
        {
            ["Headers"] = ToFunctionsReq()["Headers"]!.DeepClone(),
            ["Query"] = new JsonObject(),
            ["sys"] = new JsonObject { ["MethodName"] = functionName, ["UtcNow"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffffff"), ["RandGuid"] = Guid.NewGuid().ToString() },
        };
        foreach (var (name, value) in RouteParams ?? new Dictionary<string, string>()) metadata[name] = JsonSerializer.Serialize(value);
        return metadata;
    }
}

internal static class ServiceBusDelivery
{
    /// <summary>serviceBusTrigger metadata as the host sends it: strings JSON-encoded twice, numbers as strings, DateTime without offset.</summary>
    public static JsonObject Metadata(string messageId, int deliveryCount) => new()
    {
        ["MessageId"] = JsonSerializer.Serialize(messageId),
        ["DeliveryCount"] = deliveryCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["EnqueuedTimeUtc"] = JsonSerializer.Serialize(DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffffff")),
        ["SequenceNumber"] = "17",
        ["ContentType"] = "null",
        ["ApplicationProperties"] = new JsonObject(),
        ["sys"] = new JsonObject { ["MethodName"] = "ProcessChainEvent", ["UtcNow"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffffff"), ["RandGuid"] = Guid.NewGuid().ToString() },
    };
}
