using System.Text.Json;
using Echain.Core.Subgraph;
using Echain.Core.Subgraph.Schema;
using Echain.Tests.Infrastructure;
using GraphQL.SystemTextJson;
using GraphQL.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Echain.Tests.Subgraph;

/// <summary>The schema and executor over <see cref="RecordingSubgraphReads"/>, answering as the endpoint writes it.</summary>
public sealed class SubgraphSchemaHarness
{
    private static readonly GraphQLSerializer Serializer = new(SubgraphExecutor.ErrorInfoProvider);

    public RecordingSubgraphReads Reads { get; } = new();
    public LogCapture Logs { get; } = new();
    public SubgraphOptions Options { get; } = new();

    public static SubgraphSchema Schema()
    {
        var schema = new SubgraphSchema();
        schema.Initialize();
        return schema;
    }

    /// <summary>The request as JSON (query and optional variables), its answer as the endpoint would serialize it.</summary>
    private SubgraphExecutor? _executor;

    public async Task<JsonElement> RunAsync(string query, string? variablesJson = null, CancellationToken ct = default)
    {
        // One executor per harness, as the app has one: its document cache spans the runs. Options are read at its creation.
        _executor ??= new SubgraphExecutor(Schema(), new ServiceCollection()
            .AddSingleton<ISubgraphReads>(Reads)
            .AddSingleton(Microsoft.Extensions.Options.Options.Create(Options))
            .AddLogging(logging => logging.AddProvider(Logs))
            .BuildServiceProvider());
        var request = Serializer.Deserialize<GraphQLRequest>(JsonSerializer.Serialize(new
        {
            query,
            variables = variablesJson is null ? (JsonElement?)null : JsonDocument.Parse(variablesJson).RootElement,
        }))!;
        var result = await _executor.ExecuteAsync(request, ct);
        return JsonDocument.Parse(Serializer.Serialize(result)).RootElement.Clone();
    }

    public static SubgraphEvent Event(string id, string title = "Concert") =>
        new(id, "0x" + new string('c', 40), title, "Live", "1700000000", "1700003600", "100", "5000000", "1699990000", "1699990000");

    public static SubgraphTicket Ticket(string id, string eventId, bool isUsed = false) =>
        new(id, eventId, "0x" + new string('b', 40), id, "General", "5000000", isUsed, "1699995000", null);

    /// <summary>The messages of the answer's errors (none: empty).</summary>
    public static string[] Errors(JsonElement answer) =>
        answer.TryGetProperty("errors", out var errors) ? errors.EnumerateArray().Select(e => e.GetProperty("message").GetString()!).ToArray() : [];
}
