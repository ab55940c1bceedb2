using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Echain.Tests.FunctionsHost;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.EndToEnd;

/// <summary>
/// Malformed input on every route family, on both hosts (and the Functions host's payload-mode functions): each
/// answer is a 4xx problem+json whose every string is the app's own wording, never .NET's (a C# parameter or type
/// name, "(Parameter '…')", a binder's or the JSON reader's message).
/// </summary>
public sealed partial class NoFrameworkTextTests(EchainTestHost standalone, FunctionsTestHost functions)
    : IClassFixture<EchainTestHost>, IClassFixture<FunctionsTestHost>
{
    // .NET's vocabulary, and the C# names of the bound body types and handler parameters.
    [GeneratedRegex(@"\(Parameter '|System\.|Microsoft\.|Exception|GroupMembership|DevTokenRequest|SignInRequest|Failed to (read|bind) parameter|Required parameter|Implicit body|LineNumber|BytePositionInLine|Path: \$|\bstring\??\s+\w+\b")]
    private static partial Regex FrameworkText();

    private const string Wallet = "0x7052e7a71837b3bbded491ae281dad6543ca6d5e";

    private sealed record Probe(string Method, string Path, string? ContentType = null, string? Body = null,
        (string Name, string Value)[]? Headers = null, bool StandaloneOnly = false);

    private static readonly (string, string)[] Admin = [("X-Echain-Admin-Key", EchainTestHost.AdminKey)];

    private static IEnumerable<Probe> Probes()
    {
        // Reads: ids, addresses, cursors, limits.
        foreach (var query in new[] { "cursor=junk", "cursor=%25%25%25", "cursor=", "limit=0", "limit=abc", "limit=201", "limit=1.5", "cursor=junk&limit=abc" })
        {
            yield return new("GET", $"api/events?{query}");
            yield return new("GET", $"api/events/1/tickets?{query}");
            yield return new("GET", $"api/events/1/activity?{query}");
            yield return new("GET", $"api/users/{Wallet}/transactions?{query}");
        }
        foreach (var id in new[] { "forty-two", "-1", "0x", "1e5", "99999999999999999999999999999999999999999999999999999999999999999999999999999999" })
        {
            yield return new("GET", $"api/events/{id}");
            yield return new("GET", $"api/events/{id}/tickets");
            yield return new("GET", $"api/events/{id}/activity");
            yield return new("GET", $"api/realtime/groups/{id}/messages");
            yield return new("GET", $"api/tickets/{id}/metadata");
            yield return new("GET", $"api/tickets/{id}/image.svg");
        }
        yield return new("GET", "api/tickets/424242/metadata"); // a 404 problem: unknown token
        yield return new("GET", "api/tickets/424242/image.svg");
        foreach (var address in new[] { "0x12", "not-an-address", Wallet + "00" })
        foreach (var read in new[] { "tickets", "balances", "transactions" })
            yield return new("GET", $"api/users/{address}/{read}");
        yield return new("GET", "api/realtime/groups/1/messages?after=abc");
        yield return new("GET", "api/realtime/groups/1/messages?after=-1");
        yield return new("GET", "api/realtime/me/messages");
        yield return new("GET", "api/realtime/me/messages", Headers: [("Authorization", "Bearer junk")]);
        yield return new("POST", "api/negotiate", Headers: [("Authorization", "Bearer junk")]);

        // Bodies: malformed, empty, wrong types, wrong content type.
        var bodies = new (string? Type, string? Body)[]
        {
            ("application/json", "{"), ("application/json", ""), ("application/json", "null"), ("application/json", "[]"),
            ("application/json", "\"text\""), ("application/json", """{"connectionId":5,"proof":true}"""),
            ("application/json", """{"address":5}"""), ("application/json", """{"message":5,"signature":[]}"""),
            ("text/plain", "{}"), (null, null),
        };
        foreach (var (type, body) in bodies)
        {
            yield return new("POST", "api/realtime/groups/1", type, body, StandaloneOnly: true);
            yield return new("DELETE", "api/realtime/groups/1", type, body, StandaloneOnly: true);
            yield return new("POST", "api/dev/token", type, body);
            yield return new("POST", "api/auth/verify", type, body);
        }
        yield return new("POST", "api/realtime/groups/forty-two", "application/json", """{"connectionId":"c","proof":"p"}""", StandaloneOnly: true);

        // Admin: no key, then bad values with it.
        yield return new("GET", "api/admin/deliveries");
        foreach (var query in new[] { "limit=abc", "limit=0", "status=abc", "status=99", "before=-1", "before=abc", "from=junk", "to=yesterday", "transactionHash=0x12" })
            yield return new("GET", $"api/admin/deliveries?{query}", Headers: Admin);
        yield return new("POST", "api/admin/deliveries/abc/replay", Headers: Admin);
        yield return new("POST", "api/admin/deliveries/-5/replay", Headers: Admin);
        yield return new("GET", "api/admin/dead-letters?limit=abc", Headers: Admin);
        yield return new("POST", "api/admin/dead-letters/replay?max=abc", Headers: Admin);

        // The webhook (a payload-mode function on Azure, swept below) and the framework's own answers.
        yield return new("POST", "api/webhooks/coinbase", "application/json", "{", StandaloneOnly: true);
        yield return new("POST", "api/webhooks/coinbase", "text/plain", "{}", StandaloneOnly: true);
        yield return new("GET", "api/webhooks/coinbase", StandaloneOnly: true);
        yield return new("GET", "api/no-such-route");
        yield return new("DELETE", "api/events");
    }

    [Fact]
    public async Task Every_malformed_request_to_the_standalone_host_is_a_4xx_problem_in_the_apps_own_words() =>
        AssertClean(await SweepAsync(standalone, Probes()));

    [Fact]
    public async Task Every_malformed_request_the_Functions_host_forwards_is_a_4xx_problem_in_the_apps_own_words() =>
        AssertClean(await SweepAsync(functions, Probes().Where(p => !p.StandaloneOnly)));

    [Fact]
    public async Task The_cursor_400_names_the_field_and_says_what_to_do_in_a_plain_sentence()
    {
        foreach (var host in new EchainTestHost[] { standalone, functions })
        {
            using var response = await host.GetAsync("api/events?cursor=junk");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("https://echain.dev/problems/invalid-argument", problem.GetProperty("type").GetString());
            Assert.Equal("cursor", problem.GetProperty("field").GetString());
            Assert.Equal("The cursor is not one this listing gave out; pass the nextCursor of its previous page unchanged, or omit it for the first page.",
                problem.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task A_binder_refusal_names_the_json_member_not_the_csharp_parameter()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, standalone.Url("api/dev/token"))
        {
            Content = new StringContent("""{"address":5}""", Encoding.UTF8, "application/json"),
        };
        using var response = await standalone.Http.SendAsync(request);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(("https://echain.dev/problems/invalid-request", "address"),
            (problem.GetProperty("type").GetString(), problem.GetProperty("field").GetString()));
    }

    [Fact]
    public async Task The_Functions_payload_functions_answer_malformed_input_in_the_apps_own_words()
    {
        var failures = new List<string>();
        foreach (var body in new[] { "{", "", "null", "[]", """{"block_number":"x"}""", "\u00ff\u00fe" })
        {
            var webhook = ClientRequest.SignedWebhook(Encoding.UTF8.GetBytes(body));
            Check(failures, $"CoinbaseWebhook {body}", await functions.InvokeAsync("CoinbaseWebhook",
                new JsonObject { ["req"] = webhook.ToFunctionsReq() }, webhook.ToFunctionsMetadata("CoinbaseWebhook")));
            var unsigned = webhook with { Headers = webhook.Headers.Where(h => h.Key != "X-Hook0-Signature").ToList() };
            Check(failures, $"CoinbaseWebhook unsigned {body}", await functions.InvokeAsync("CoinbaseWebhook",
                new JsonObject { ["req"] = unsigned.ToFunctionsReq() }, unsigned.ToFunctionsMetadata("CoinbaseWebhook")));
        }
        foreach (var (function, method) in new[] { ("JoinEventGroup", "POST"), ("LeaveEventGroup", "DELETE") })
        foreach (var (eventId, body) in new[] { ("1", "{"), ("1", ""), ("1", "null"), ("1", "[]"), ("1", """{"connectionId":5}"""), ("forty-two", """{"connectionId":"c","proof":"p"}"""), ("1", """{"connectionId":"c","proof":"p"}""") })
        {
            var request = new ClientRequest(method, $"api/realtime/groups/{eventId}", [new("Content-Type", "application/json")],
                Encoding.UTF8.GetBytes(body), new Dictionary<string, string> { ["eventId"] = eventId });
            Check(failures, $"{function} {eventId} {body}", await functions.InvokeAsync(function,
                new JsonObject { ["req"] = request.ToFunctionsReq() }, request.ToFunctionsMetadata(function)));
        }
        AssertClean(failures);
    }

    private static void Check(List<string> failures, string name, Invocation invocation)
    {
        if (invocation.Status != HttpStatusCode.OK) { failures.Add($"{name}: invocation {(int)invocation.Status} {invocation.Text}"); return; }
        var status = int.Parse(invocation.ResStatus);
        var type = invocation.Res["headers"]?["Content-Type"]?.GetValue<string>();
        Check(failures, name, status, type, invocation.ResBody);
    }

    private static void Check(List<string> failures, string name, int status, string? contentType, string body)
    {
        if (status is < 400 or > 499) failures.Add($"{name}: {status}, not a 4xx: {body}");
        if (contentType != "application/problem+json") failures.Add($"{name}: Content-Type {contentType}: {body}");
        JsonNode? json;
        try
        {
            json = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            failures.Add($"{name}: the body is not JSON: {body}");
            return;
        }
        foreach (var text in Strings(json))
            if (FrameworkText().IsMatch(text)) failures.Add($"{name}: framework text in \"{text}\"");
        if (json?["type"]?.GetValue<string>() is not { } problemType || !problemType.StartsWith("https://echain.dev/problems/", StringComparison.Ordinal))
            failures.Add($"{name}: no Echain problem type: {body}");
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Strings(p.Value).Prepend(p.Key)),
        JsonArray a => a.SelectMany(Strings),
        JsonValue v when v.TryGetValue<string>(out var s) => [s],
        _ => [],
    };

    private static async Task<List<string>> SweepAsync(EchainTestHost host, IEnumerable<Probe> probes)
    {
        var failures = new List<string>();
        var count = 0;
        foreach (var probe in probes)
        {
            using var request = new HttpRequestMessage(new HttpMethod(probe.Method), host.Url(probe.Path));
            if (probe.Body is not null || probe.ContentType is not null)
            {
                request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(probe.Body ?? ""));
                if (probe.ContentType is not null) request.Content.Headers.TryAddWithoutValidation("Content-Type", probe.ContentType);
            }
            foreach (var (name, value) in probe.Headers ?? []) request.Headers.TryAddWithoutValidation(name, value);
            using var response = await host.Http.SendAsync(request);
            Check(failures, $"{probe.Method} /{probe.Path} [{probe.ContentType}] {probe.Body}", (int)response.StatusCode,
                response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
            count++;
        }
        Assert.True(count > 100, $"only {count} probes");
        return failures;
    }

    private static void AssertClean(List<string> failures) =>
        Assert.True(failures.Count == 0, $"{failures.Count} answers:\n" + string.Join("\n", failures));
}
