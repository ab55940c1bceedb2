using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Echain.Functions.AzureFunctions;

public enum FunctionMode
{
    /// <summary>The host POSTs <c>{"Data","Metadata"}</c> to <c>/{Name}</c> and writes the Outputs the handler answers.</summary>
    Payload,
    /// <summary>
    /// <c>enableForwardingHttpRequest</c>: the host sends the original request on its original path (<c>/api/…</c>),
    /// which it does only for a function whose bindings are exactly one httpTrigger and one http output.
    /// </summary>
    Forwarded,
}

/// <summary>
/// One function of the package: its trigger, its other bindings in function.json order and, in payload mode,
/// the handler its <c>POST /{Name}</c> invocation route runs (a minimal-API delegate).
/// </summary>
public sealed record FunctionDefinition(string Name, TriggerBinding Trigger, IReadOnlyList<FunctionBinding> Bindings, Delegate? Handler)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public FunctionMode Mode => Handler is null ? FunctionMode.Forwarded : FunctionMode.Payload;

    /// <summary>The trigger, then the other bindings: the <c>bindings</c> array of function.json.</summary>
    public IEnumerable<FunctionBinding> AllBindings => [Trigger, .. Bindings];

    /// <summary>A function the host forwards as it came: the route must be one the app serves itself.</summary>
    public static FunctionDefinition Forwarded(string name, HttpTriggerBinding trigger) => new(name, trigger, [new HttpOutputBinding()], null);

    /// <summary>A function the handler answers with Outputs; its bindings must not be the forwarding shape.</summary>
    public static FunctionDefinition Payload(string name, TriggerBinding trigger, Delegate handler, params FunctionBinding[] bindings)
    {
        if (trigger is HttpTriggerBinding && bindings is [HttpOutputBinding])
            throw new ArgumentException($"{name}: one httpTrigger and one http output are forwarded, the handler would never be invoked.", nameof(bindings));
        return new FunctionDefinition(name, trigger, bindings, handler);
    }

    /// <summary>function.json as the package carries it (indented, UTF-8 without BOM, one trailing newline).</summary>
    public string ToFunctionJson()
    {
        var json = new JsonObject { ["bindings"] = new JsonArray(AllBindings.Select(b => (JsonNode?)b.ToJson()).ToArray()) };
        return json.ToJsonString(Indented) + "\n";
    }

    /// <summary>Writes <c>&lt;root&gt;/&lt;Name&gt;/function.json</c>, the layout the Functions host reads.</summary>
    public void WriteFunctionJson(string packageRoot)
    {
        var folder = Directory.CreateDirectory(Path.Combine(packageRoot, Name));
        File.WriteAllText(Path.Combine(folder.FullName, "function.json"), ToFunctionJson(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }
}
