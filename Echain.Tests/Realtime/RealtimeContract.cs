using System.Text.Json;
using System.Text.Json.Nodes;
using Echain.Core.Realtime;
using Echain.Functions.Shared.Realtime;
using Echain.Tests.FunctionsHost;
using Json.Schema;

namespace Echain.Tests.Realtime;

/// <summary>
/// The realtime contract as the tests check it: the embedded <c>docs/realtime/{target}.schema.json</c> (what the app
/// ships, <see cref="RealtimeMessageSchemas"/>) and <c>docs/realtime/history-page.json</c>, which refers to them, built
/// once into a registry of their own so the page's <c>$ref</c>s resolve to exactly these files.
/// </summary>
internal static class RealtimeContract
{
    /// <summary>Every SignalR target a client can receive: the projected ones and the per-connection proof.</summary>
    public static readonly string[] Targets =
    [
        RealtimeTargets.TicketPurchased, RealtimeTargets.TicketTransferred, RealtimeTargets.EventUpdated,
        RealtimeTargets.BalanceUpdated, RealtimeTargets.Notification, ConnectionProof.Target,
    ];

    private static readonly EvaluationOptions Options = new() { OutputFormat = OutputFormat.Hierarchical, RequireFormatValidation = true };
    private static readonly Lazy<(IReadOnlyDictionary<string, JsonSchema> Targets, JsonSchema HistoryPage)> Built = new(Build);

    public static IReadOnlyDictionary<string, JsonSchema> Schemas => Built.Value.Targets;

    /// <summary>The problems of <paramref name="payload"/> against its target's schema; empty when it conforms.</summary>
    public static IReadOnlyList<string> Problems(string target, JsonElement payload) =>
        Schemas.TryGetValue(target, out var schema)
            ? Errors(schema.Evaluate(payload, Options))
            : [$"no schema for target '{target}'"];

    public static IReadOnlyList<string> Problems(string target, JsonNode payload) =>
        Problems(target, JsonSerializer.SerializeToElement(payload));

    public static IReadOnlyList<string> HistoryPageProblems(JsonElement page) => Errors(Built.Value.HistoryPage.Evaluate(page, Options));

    public static void AssertValid(string target, JsonElement payload)
    {
        var problems = Problems(target, payload);
        Assert.True(problems.Count == 0, $"{target} {payload.GetRawText()} breaks its schema: {string.Join("; ", problems)}");
    }

    /// <summary>The errors of the failed nodes under failed nodes only: a branch that failed inside a oneOf that held is no problem.</summary>
    private static string[] Errors(EvaluationResults results)
    {
        var errors = new List<string>();
        void Walk(EvaluationResults node)
        {
            if (node.IsValid) return;
            foreach (var (keyword, message) in node.Errors ?? new Dictionary<string, string>())
                errors.Add($"{node.InstanceLocation} ({node.EvaluationPath}): {keyword} {message}");
            foreach (var child in node.Details ?? []) Walk(child);
        }
        Walk(results);
        if (!results.IsValid && errors.Count == 0) errors.Add("invalid");
        return [.. errors];
    }

    private static (IReadOnlyDictionary<string, JsonSchema>, JsonSchema) Build()
    {
        var build = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        var targets = RealtimeMessageSchemas.All.ToDictionary(p => p.Key,
            p => JsonSchema.Build(JsonSerializer.SerializeToElement(p.Value), build), StringComparer.Ordinal);
        var page = JsonSchema.FromText(File.ReadAllText(Path.Combine(RepositoryFiles.Root, "docs", "realtime", "history-page.json")), build);
        return (targets, page);
    }
}
