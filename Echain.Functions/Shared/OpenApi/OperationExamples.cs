using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Echain.Functions.Shared.OpenApi;

/// <summary>Examples for the routes a newcomer tries first: the webhook body CDP sends, a few reads and their problems, a GraphQL query.</summary>
public sealed class OperationExamples : IOpenApiOperationTransformer
{
    /// <summary>A CDP <c>onchain.activity.detected</c> delivery: one decoded log, flat snake_case, parameters as strings.</summary>
    public const string CdpActivity = """
        {"block_number":46218191,"contract_address":"0x940181a94a35a4569e4529a3cdfb74e38fd98631","event_name":"Transfer",
         "event_signature":"Transfer(address,address,uint256)","log_index":29,"network":"base-mainnet",
         "parameters":{"from":"0xf33a96b5932d9e9b9a0eda447abd8c9d48d2e0c8","to":"0x61040e143a77f165ba44543af4a079f2c809d14b","tokenId":"7"},
         "timestamp":"2026-05-19T21:22:10Z","transaction_from":"0x3e16d476d8df15e3e776eaa5a46f37ec44c830cd",
         "transaction_hash":"0xa58e4471bcce875b1ea49cc0864a620d3a484b9b7c1b0b4fd18ce83f5b30e5e0",
         "transaction_to":"0x940181a94a35a4569e4529a3cdfb74e38fd98631"}
        """;

    private static readonly Dictionary<string, (string? Request, (string Status, string Body)[] Responses)> Examples = new()
    {
        ["POST api/webhooks/coinbase"] = (CdpActivity,
        [
            ("202", """{"accepted":1,"ignored":0,"ids":["1795835190617-0"]}"""),
            ("401", """{"type":"https://echain.dev/problems/invalid-signature","title":"The webhook signature is invalid.","status":401,"detail":"The v1 signature does not match the body with any configured secret."}"""),
        ]),
        ["GET api/events/{eventId}"] = (null,
        [
            ("200", """{"eventId":"1","creator":"0x70997970c51812dc3a010c7d01b50e0d17dc79c8","title":"Base Camp","description":"A night on Base","startTime":"2027-06-01T18:00:00+00:00","endTime":"2027-06-01T23:00:00+00:00","maxTickets":"100","ticketPrice":"25000000","ticketsSold":2,"available":"98"}"""),
            ("400", """{"type":"https://echain.dev/problems/invalid-argument","title":"Invalid argument.","status":400,"detail":"'abc' is not an event id (a uint256 in decimal or 0x hex).","field":"eventId"}"""),
            ("404", """{"type":"https://echain.dev/problems/not-found","title":"Not found.","status":404,"detail":"Event 42 is not known."}"""),
        ]),
        ["POST api/graphql"] = ("""{"query":"query Meta { _meta { block { number } deployment hasIndexingErrors } }","operationName":"Meta"}""",
        [
            ("200", """{"data":{"_meta":{"block":{"number":46218191},"deployment":"echain/base-mainnet","hasIndexingErrors":false}}}"""),
        ]),
        ["GET api/tickets/{tokenId}/metadata"] = (null,
        [
            ("200", """{"name":"Base Camp Live — Ticket #17","description":"An evening of onchain music","image":"https://api.example/api/tickets/17/image.svg","external_url":"https://app.example/events/1795835187","attributes":[{"trait_type":"Event","value":"Base Camp Live"},{"trait_type":"Event ID","value":"1795835187"},{"trait_type":"Event date","value":1798484400,"display_type":"date"},{"trait_type":"Ticket type","value":"VIP"},{"trait_type":"Price (USDC)","value":"12.5"},{"trait_type":"Status","value":"Valid"}]}"""),
            ("404", """{"type":"https://echain.dev/problems/not-found","title":"Not found.","status":404,"detail":"The event of ticket 17 is not known yet."}"""),
        ]),
        ["GET api/users/{address}/balances"] = (null,
        [
            ("200", """{"items":[{"token":"0x036cbd53842c5426634e7929541ec2318f3dcf7e","balance":"75000000","final":true}]}"""),
        ]),
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var key = $"{context.Description.HttpMethod} {context.Description.RelativePath}";
        if (!Examples.TryGetValue(key, out var example)) return Task.CompletedTask;
        if (example.Request is not null && operation.RequestBody is OpenApiRequestBody { Content: { } request })
            foreach (var media in request.Values.OfType<OpenApiMediaType>())
                media.Example = JsonNode.Parse(example.Request);
        foreach (var (status, body) in example.Responses)
            if (operation.Responses?.TryGetValue(status, out var response) == true && response is OpenApiResponse { Content: { } content })
                foreach (var media in content.Values.OfType<OpenApiMediaType>())
                    media.Example = JsonNode.Parse(body);
        return Task.CompletedTask;
    }
}
