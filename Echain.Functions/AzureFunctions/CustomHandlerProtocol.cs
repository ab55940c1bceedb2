using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Echain.Core;
using Microsoft.AspNetCore.Http.Metadata;

namespace Echain.Functions.AzureFunctions;

/// <summary>
/// One custom-handler invocation as the Functions host POSTs it to <c>/{FunctionName}</c>:
/// <c>{"Data": {bindingName: value}, "Metadata": {name: value}}</c> (docs/architecture.md, "The custom handler protocol").
/// </summary>
public sealed class FunctionInvocation
{
    public FunctionInvocation(JsonObject data, JsonObject metadata)
    {
        Data = data;
        Metadata = metadata;
    }

    public JsonObject Data { get; }
    public JsonObject Metadata { get; }

    /// <summary>Minimal-API binding: a body that is not a JSON object is the host's bug, answered 400.</summary>
    public static async ValueTask<FunctionInvocation?> BindAsync(HttpContext context)
    {
        var node = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        if (node is not JsonObject root) throw new BadHttpRequestException("The invocation body is not a JSON object.");
        return new FunctionInvocation(
            root["Data"] as JsonObject ?? new JsonObject(),
            root["Metadata"] as JsonObject ?? new JsonObject());
    }

    /// <summary>The httpTrigger input <paramref name="name"/> (Data.req).</summary>
    public HttpTriggerRequest HttpRequest(string name) =>
        HttpTriggerRequest.From(Data[name] as JsonObject ?? throw new BadHttpRequestException($"Data.{name} is missing."));

    /// <summary>
    /// A metadata value decoded once more: the host JSON-encodes every non-object value a second time,
    /// so a string arrives as <c>"\"abc\""</c>, a number as <c>"3"</c> and a DateTime as <c>"\"2026-05-19T21:22:10\""</c>.
    /// </summary>
    public string? MetadataString(string name) => StringOf(Metadata, name);

    public int? MetadataInt(string name) => IntOf(Metadata, name);

    /// <summary>Member <paramref name="name"/> of a metadata object (the metadata, or ApplicationProperties in it) as text, JSON-encoded strings decoded once.</summary>
    internal static string? StringOf(JsonObject obj, string name)
    {
        var node = Lookup(obj, name);
        if (node is null) return null;
        if (node is not JsonValue value || !value.TryGetValue<string>(out var text)) return node.ToJsonString();
        if (text.Length >= 2 && text[0] == '"')
        {
            try { return JsonSerializer.Deserialize<string>(text); }
            catch (JsonException) { return text; }
        }
        return text;
    }

    internal static int? IntOf(JsonObject obj, string name) =>
        int.TryParse(StringOf(obj, name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    internal static JsonNode? Lookup(JsonObject obj, string name)
    {
        if (obj.TryGetPropertyValue(name, out var node)) return node;
        foreach (var (key, value) in obj)
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase)) return value;
        return null;
    }
}

/// <summary>
/// Data.req in payload mode: <c>{Url, Method, Query, Headers{name:[values]}, Params, Identities, Body}</c>.
/// <see cref="Body"/> is the request decoded by the host as UTF-8 (a leading BOM removed), null without Content-Length.
/// </summary>
public sealed record HttpTriggerRequest(
    string Method,
    IReadOnlyDictionary<string, string> Headers,
    IReadOnlyDictionary<string, string> Params,
    string? Body)
{
    public static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

    public static HttpTriggerRequest From(JsonObject req)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (FunctionInvocation.Lookup(req, "Headers") is JsonObject h)
            foreach (var (name, values) in h)
                // Several values of one header become one comma-joined string, as Kestrel's StringValues.ToString() does.
                headers[name] = values switch
                {
                    JsonArray array => string.Join(",", array.Select(v => v?.ToString() ?? "")),
                    JsonValue value => value.ToString(),
                    _ => "",
                };
        var routeParams = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (FunctionInvocation.Lookup(req, "Params") is JsonObject p)
            foreach (var (name, value) in p)
                routeParams[name] = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString() ?? "";
        var method = FunctionInvocation.Lookup(req, "Method")?.ToString() ?? "";
        var body = FunctionInvocation.Lookup(req, "Body") switch
        {
            null => null,
            JsonValue v when v.TryGetValue<string>(out var text) => text,
            // The host sends octet-stream and multipart bodies as bytes (base64 in JSON) and nothing else is a string.
            var other => other.ToJsonString(),
        };
        return new HttpTriggerRequest(method, headers, routeParams, body);
    }

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>UTF8(Body) exactly, nothing stripped; an absent body (no Content-Length) is empty.</summary>
    public byte[] BodyBytes() => Body is null ? [] : Encoding.UTF8.GetBytes(Body);
}

/// <summary>The handler's answer: <c>{"Outputs": {...}, "Logs": [...], "ReturnValue": null}</c>, 200 unless the invocation failed.</summary>
public sealed class InvocationResult : IResult, IEndpointMetadataProvider
{
    private readonly JsonObject _outputs = new();
    private readonly JsonArray _logs = new();

    public int StatusCode { get; private init; } = StatusCodes.Status200OK;
    public JsonObject Outputs => _outputs;

    public static InvocationResult Ok() => new();

    /// <summary>
    /// A failed invocation (non-2xx): the host writes no output binding and, for a Service Bus trigger,
    /// abandons the message so it is redelivered (dead-lettered after maxDeliveryCount).
    /// </summary>
    public static InvocationResult Failed(string reason) => new InvocationResult { StatusCode = StatusCodes.Status500InternalServerError }.Log(reason);

    /// <summary>Output values are JSON objects or arrays, never bare strings: the host turns a string that is valid base64 into bytes.</summary>
    public InvocationResult Output(string bindingName, JsonNode value)
    {
        _outputs[bindingName] = value;
        return this;
    }

    public InvocationResult Log(string line)
    {
        _logs.Add(line);
        return this;
    }

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var body = new JsonObject { ["Outputs"] = _outputs.DeepClone(), ["Logs"] = _logs.DeepClone(), ["ReturnValue"] = null };
        httpContext.Response.StatusCode = StatusCode;
        httpContext.Response.ContentType = "application/json; charset=utf-8";
        return httpContext.Response.WriteAsync(body.ToJsonString());
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(object), ["application/json"]));
}

/// <summary>The <c>http</c> output binding value (Outputs.res): status as a string, headers, body as the exact response text.</summary>
public static class HttpOutput
{
    public static JsonObject Json(int status, string json) => Create(status, "application/json", json);

    public static JsonObject NoContent() => new() { ["statusCode"] = "204", ["headers"] = new JsonObject() };

    /// <summary>The same problem+json bytes the standalone host writes (<see cref="ApiProblem.ToJson"/>), with Allow on 405 and Retry-After on 503.</summary>
    public static JsonObject Problem(ApiProblem problem)
    {
        var res = Create(problem.Status, ApiProblem.ContentType, Encoding.UTF8.GetString(problem.ToJson()));
        if (problem.Extensions?.TryGetValue("allow", out var allow) == true) res["headers"]!["Allow"] = allow;
        if (problem.RetryAfter is { } retryAfter) res["headers"]!["Retry-After"] = retryAfter;
        return res;
    }

    private static JsonObject Create(int status, string contentType, string body) => new()
    {
        ["statusCode"] = status.ToString(CultureInfo.InvariantCulture),
        ["headers"] = new JsonObject { ["Content-Type"] = contentType },
        ["body"] = body,
    };
}

/// <summary>Marks an endpoint as the invocation route of a payload-mode function (the package test reads it).</summary>
public sealed record CustomHandlerFunctionMetadata(string FunctionName);
