using System.Text.Json.Nodes;
using Echain.Functions.Shared.Realtime;
using Echain.Tests.FunctionsHost;

namespace Echain.Tests.Realtime;

/// <summary>
/// The schemas themselves: one per target and no other, well formed, and strict enough to refuse what a producer
/// never sends. That real messages conform is checked through the running hosts (RealtimeSchemaConformanceTests).
/// </summary>
public sealed class RealtimeSchemaTests
{
    private const string Wallet = "0x00000000000000000000000000000000000000a1";

    [Fact]
    public void Every_target_has_a_schema_and_no_schema_names_an_unknown_target()
    {
        Assert.Equal(RealtimeContract.Targets.Order(StringComparer.Ordinal), RealtimeMessageSchemas.All.Keys);
        var files = Directory.GetFiles(Path.Combine(RepositoryFiles.Root, "docs", "realtime"), "*.schema.json")
            .Select(f => Path.GetFileName(f)[..^".schema.json".Length]).Order(StringComparer.Ordinal);
        Assert.Equal(RealtimeMessageSchemas.All.Keys, files); // every file is embedded, none is left behind
        Assert.Equal(["no schema for target 'ticket-sold'"], RealtimeContract.Problems("ticket-sold", new JsonObject()));
    }

    [Theory]
    [MemberData(nameof(TargetNames))]
    public void Each_schema_is_draft_2020_12_with_its_id_a_title_and_a_description_per_field(string target)
    {
        var schema = RealtimeMessageSchemas.All[target];
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", schema["$schema"]!.GetValue<string>());
        Assert.Equal($"https://echain.dev/realtime/{target}.schema.json", schema["$id"]!.GetValue<string>());
        Assert.Equal(target, schema["title"]!.GetValue<string>());
        Assert.False(schema["additionalProperties"]!.GetValue<bool>());
        var properties = schema["properties"]!.AsObject();
        Assert.All(schema["required"]!.AsArray(), r => Assert.True(properties.ContainsKey(r!.GetValue<string>()), r.ToJsonString()));
        Assert.All(properties, p => Assert.False(string.IsNullOrWhiteSpace(p.Value!["description"]?.GetValue<string>()), $"{target}.{p.Key} has no description"));
        Assert.NotNull(RealtimeContract.Schemas[target]); // builds
        Assert.Equal(target != "connection-proof", properties.ContainsKey("stream") && properties.ContainsKey("seq"));
    }

    public static TheoryData<string> TargetNames() => new(RealtimeContract.Targets);

    [Fact]
    public void Valid_examples_of_every_target_and_event_updated_shape_pass()
    {
        foreach (var (target, payload) in ValidExamples())
            Assert.True(RealtimeContract.Problems(target, payload).Count == 0,
                $"{target} {payload.ToJsonString()}: {string.Join("; ", RealtimeContract.Problems(target, payload))}");
    }

    [Theory]
    [InlineData("ticket-purchased", "buyer")]
    [InlineData("ticket-transferred", "eventId")]
    [InlineData("event-updated", "updates")]
    [InlineData("balance-updated", "token")]
    [InlineData("notification", "type")]
    [InlineData("connection-proof", "proof")]
    [InlineData("ticket-purchased", "seq")]
    [InlineData("notification", "stream")]
    public void A_payload_missing_a_required_field_is_refused(string target, string field)
    {
        var payload = Example(target);
        Assert.True(payload.Remove(field));
        var problem = Assert.Single(RealtimeContract.Problems(target, payload));
        Assert.Contains("required", problem);
        Assert.Contains(field, problem);
    }

    [Theory]
    [InlineData("ticket-purchased", "ticketId", "7")] // a number where a decimal string is sent
    [InlineData("ticket-purchased", "buyer", "\"0x00000000000000000000000000000000000000A1\"")] // not lowercase
    [InlineData("ticket-transferred", "to", "null")]
    [InlineData("balance-updated", "balance", "\"-5\"")]
    [InlineData("balance-updated", "stream", "\"event-1\"")] // a user message counts in a user stream
    [InlineData("notification", "type", "\"ticket-sold\"")]
    [InlineData("event-updated", "seq", "0")]
    [InlineData("event-updated", "seq", "\"3\"")]
    [InlineData("event-updated", "updates", "{}")]
    [InlineData("event-updated", "updates", "{\"ticketUsed\": 5}")]
    [InlineData("event-updated", "updates", "{\"startTime\": \"next friday\"}")]
    [InlineData("event-updated", "updates", "{\"reverted\": {\"ticketId\": \"5\", \"kind\": \"refund\"}}")]
    [InlineData("event-updated", "updates", "{\"removed\": false}")]
    [InlineData("connection-proof", "proof", "\"not base64url!\"")]
    public void A_field_of_the_wrong_type_or_shape_is_refused(string target, string field, string json)
    {
        var payload = Example(target);
        payload[field] = JsonNode.Parse(json);
        var problems = RealtimeContract.Problems(target, payload);
        Assert.NotEmpty(problems);
        Assert.All(problems, p => Assert.StartsWith($"/{field}", p)); // refused for that field, nothing else
    }

    [Theory]
    [MemberData(nameof(TargetNames))]
    public void An_extra_field_is_refused_since_the_producer_sends_every_field(string target)
    {
        var payload = Example(target);
        payload["extra"] = "x";
        Assert.Contains(RealtimeContract.Problems(target, payload), p => p.StartsWith("/extra", StringComparison.Ordinal) && p.Contains("false"));
    }

    [Theory]
    [InlineData("{\"removed\": true, \"title\": \"Gone\"}")] // a removed event says only that
    [InlineData("{\"ticketUsed\": \"5\", \"title\": \"Gala\"}")]
    [InlineData("{\"reverted\": {\"ticketId\": \"5\", \"kind\": \"purchase\", \"by\": \"x\"}, \"ticketsSold\": 0}")]
    [InlineData("{\"title\": \"Gala\", \"venue\": \"Hall\"}")]
    public void Event_updated_updates_are_one_closed_shape(string updates)
    {
        var payload = Example("event-updated");
        payload["updates"] = JsonNode.Parse(updates);
        var problems = RealtimeContract.Problems("event-updated", payload);
        Assert.NotEmpty(problems);
        Assert.All(problems, p => Assert.StartsWith("/updates", p));
    }

    [Fact]
    public void The_history_page_schema_checks_each_payload_against_its_targets_schema()
    {
        JsonObject Page(JsonObject payload, string target = "ticket-purchased") => new()
        {
            ["stream"] = "event-12", ["after"] = 2, ["latest"] = 3, ["hasMore"] = false,
            ["messages"] = new JsonArray(new JsonObject { ["seq"] = 3, ["target"] = target, ["payload"] = payload.DeepClone() }),
        };
        var valid = Example("ticket-purchased");
        Assert.Empty(RealtimeContract.HistoryPageProblems(Json(Page(valid))));

        var broken = Example("ticket-purchased");
        broken.Remove("buyer");
        Assert.Contains(RealtimeContract.HistoryPageProblems(Json(Page(broken))), p => p.Contains("buyer"));
        // A valid payload of another target is still refused: the item's target picks the schema.
        Assert.NotEmpty(RealtimeContract.HistoryPageProblems(Json(Page(valid, "event-updated"))));
        Assert.NotEmpty(RealtimeContract.HistoryPageProblems(Json(Page(valid, "connection-proof")))); // never kept
    }

    private static System.Text.Json.JsonElement Json(JsonNode node) => System.Text.Json.JsonSerializer.SerializeToElement(node);

    private static JsonObject Example(string target) =>
        ValidExamples().First(e => e.Target == target).Payload.DeepClone().AsObject();

    private static IEnumerable<(string Target, JsonObject Payload)> ValidExamples()
    {
        JsonObject Group(string json) => Stream(json, "event-12");
        JsonObject User(string json) => Stream(json, $"user-{Wallet}");
        JsonObject Stream(string json, string stream)
        {
            var o = JsonNode.Parse(json)!.AsObject();
            o["stream"] = stream;
            o["seq"] = 3;
            return o;
        }
        yield return ("ticket-purchased", Group($$"""{"ticketId": "5", "buyer": "{{Wallet}}", "eventId": "12"}"""));
        yield return ("ticket-transferred", Group($$"""{"ticketId": "5", "from": "0x0000000000000000000000000000000000000000", "to": "{{Wallet}}", "eventId": "12"}"""));
        yield return ("event-updated", Group("""{"eventId": "12", "updates": {"title": "Gala", "description": "", "startTime": "2027-06-01T20:00:00+00:00", "endTime": "2027-06-01T22:00:00+00:00", "ticketPrice": "5", "creator": "0x00000000000000000000000000000000000000b2", "maxTickets": "10"}}"""));
        yield return ("event-updated", Group("""{"eventId": "12", "updates": {"ticketUsed": "5"}}"""));
        yield return ("event-updated", Group("""{"eventId": "12", "updates": {"reverted": {"ticketId": "5", "kind": "purchase"}, "ticketsSold": 0}}"""));
        yield return ("event-updated", Group("""{"eventId": "12", "updates": {"reverted": {"ticketId": "5", "kind": "check-in"}}}"""));
        yield return ("event-updated", Group("""{"eventId": "12", "updates": {"ticketsSold": 2}}"""));
        yield return ("event-updated", Group("""{"eventId": "12", "updates": {"removed": true}}"""));
        yield return ("balance-updated", User($$"""{"userId": "{{Wallet}}", "balance": "1000000", "token": "0x00000000000000000000000000000000000000c3"}"""));
        yield return ("notification", User($$"""{"userId": "{{Wallet}}", "message": "Ticket #5 is yours again.", "type": "ticket-reverted"}"""));
        yield return ("connection-proof", JsonNode.Parse("""{"connectionId": "abc123", "proof": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}""")!.AsObject());
    }
}
