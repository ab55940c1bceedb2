using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.DependencyInjection;

namespace Echain.Tests.FunctionsHost;

/// <summary>
/// The forwarded graphql function: the custom handler answers /api/graphql (POST and GET) itself, and its <c>_meta</c>
/// reads this host's dead letters (the Service Bus sub-queue) for <c>hasIndexingErrors</c>.
/// </summary>
public sealed class FunctionsGraphQLTests(FunctionsGraphQLTests.Host functions) : IClassFixture<FunctionsGraphQLTests.Host>
{
    private const string MetaQuery = "{ _meta { block { number } deployment hasIndexingErrors } }";

    public sealed class Host : FunctionsTestHost
    {
        public Host() => ConfigureApp = builder => builder.Services.AddSingleton<ServiceBusClient>(Bus);

        public RecordingServiceBus Bus { get; } = new();
    }

    [Fact]
    public async Task The_handler_answers_the_meta_query_over_POST_and_GET_and_reports_a_dead_letter_as_an_indexing_error()
    {
        foreach (var meta in await MetaOverBothMethodsAsync())
        {
            Assert.Equal(0, meta["block"]!["number"]!.GetValue<long>());
            Assert.Equal("echain/" + Infrastructure.TestLedger.Network, meta["deployment"]!.GetValue<string>());
            Assert.False(meta["hasIndexingErrors"]!.GetValue<bool>());
        }

        functions.Bus.DeadLetter(Guid.NewGuid().ToString(), new JsonObject { ["network"] = Infrastructure.TestLedger.Network },
            new Dictionary<string, object>(), deliveryCount: 10);
        foreach (var meta in await MetaOverBothMethodsAsync())
            Assert.True(meta["hasIndexingErrors"]!.GetValue<bool>());
    }

    private async Task<JsonNode[]> MetaOverBothMethodsAsync()
    {
        using var posted = await functions.Http.PostAsJsonAsync(functions.Url("api/graphql"), new { query = MetaQuery });
        using var got = await functions.Http.GetAsync(functions.Url("api/graphql?query=" + Uri.EscapeDataString(MetaQuery)));
        var metas = new List<JsonNode>();
        foreach (var response in new[] { posted, got })
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.RequestMessage!.Method}: {(int)response.StatusCode} {text}");
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            var answer = JsonNode.Parse(text)!;
            Assert.True(answer["errors"] is null, text);
            metas.Add(answer["data"]!["_meta"]!);
        }
        return [.. metas];
    }
}
