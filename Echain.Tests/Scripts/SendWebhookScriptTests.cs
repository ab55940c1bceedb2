using System.Net;
using System.Text;
using Echain.Core.Webhooks;
using Echain.Tests.Infrastructure;
using Echain.Tests.Webhooks;

namespace Echain.Tests.Scripts;

/// <summary>
/// scripts/send-webhook.sh against the real app: what it signs is what <see cref="CoinbaseSignature"/> accepts, the
/// example payload applies, and a wrong secret fails loudly.
/// </summary>
public sealed class SendWebhookScriptTests(EchainTestHost host) : IClassFixture<EchainTestHost>
{
    private const string Script = "scripts/send-webhook.sh";
    private const string Example = "scripts/examples/event-created.json";
    private const string UpdateExample = "scripts/examples/event-updated.json";

    private string WebhookUrl => host.Url("api/webhooks/coinbase").ToString();

    [Fact]
    public async Task The_example_event_is_answered_202_and_applied()
    {
        var eventId = UniqueEventId();
        // No --contract: the script reads ticketContracts[0] from the app's /api/chain, as after ./run.sh.
        var result = await ShellScript.RunAsync(Script,
            ["--url", WebhookUrl, "--secret", EchainTestHost.Secret, "--set", $"eventId={eventId}", Example]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("HTTP 202\n", result.Stdout);
        Assert.Contains("\"accepted\":1", result.Stdout);
        Assert.Contains($"contract={host.Deployment.TicketContract.ToLowerInvariant()}", result.Stderr);
        Assert.Contains($"page: {host.BaseAddress.ToString().TrimEnd('/')}/events/{eventId}", result.Stderr);

        await Eventually.TrueAsync(async () =>
        {
            using var response = await host.GetAsync($"api/events/{eventId}");
            return response.StatusCode == HttpStatusCode.OK;
        }, $"event {eventId} to be projected");
        var applied = await host.GetJsonAsync($"api/events/{eventId}");
        Assert.Equal("Sent by hand", applied.GetProperty("title").GetString());
        Assert.Equal("100", applied.GetProperty("maxTickets").GetString());

        // The README's next step, sent right after (often in the same block): the update example supersedes it.
        var update = await ShellScript.RunAsync(Script,
            ["--url", WebhookUrl, "--secret", EchainTestHost.Secret, "--set", $"eventId={eventId}", UpdateExample]);
        Assert.True(update.ExitCode == 0, update.ToString());
        await Eventually.TrueAsync(async () =>
            (await host.GetJsonAsync($"api/events/{eventId}")).GetProperty("title").GetString() == "Updated by hand",
            $"event {eventId} to show the update");
    }

    [Fact]
    public async Task A_wrong_secret_prints_the_401_problem_and_exits_non_zero()
    {
        var before = await host.QueuedTotalAsync();
        var result = await ShellScript.RunAsync(Script,
            ["--url", WebhookUrl, "--secret", "not-the-secret", "--set", $"eventId={UniqueEventId()}", Example]);

        Assert.True(result.ExitCode != 0, result.ToString());
        Assert.StartsWith("HTTP 401\n", result.Stdout);
        Assert.Contains("https://echain.dev/problems/invalid-signature", result.Stdout);
        Assert.Contains("does not match the body with any configured secret", result.Stdout);
        Assert.Equal(before, await host.QueuedTotalAsync());
    }

    [Fact]
    public async Task Print_shows_a_signature_that_CoinbaseSignature_accepts_for_the_file_bytes()
    {
        // A body without placeholders is signed byte for byte: a trailing newline and non-ASCII text included.
        var file = Path.Combine(Path.GetTempPath(), $"echain-webhook-{Guid.NewGuid():N}.json");
        var body = Encoding.UTF8.GetBytes("{\"type\":\"ping\",\"note\":\"café ✓\"}\n");
        await File.WriteAllBytesAsync(file, body);
        try
        {
            var before = await host.QueuedTotalAsync();
            var result = await ShellScript.RunAsync(Script,
                ["--url", WebhookUrl, "--secret", "print-secret", "--event-id", "evt-print-1", "--print", file]);
            Assert.True(result.ExitCode == 0, result.ToString());

            var lines = result.Stdout.Split('\n');
            string Field(string name) =>
                lines.Single(l => l.StartsWith(name + ": ", StringComparison.Ordinal))[(name.Length + 2)..];
            var headers = WebhookTestData.Headers(new Dictionary<string, string>
            {
                ["Content-Type"] = Field("Content-Type"),
                ["X-Event-Id"] = Field("X-Event-Id"),
                ["X-Event-Type"] = Field("X-Event-Type"),
                [CoinbaseSignature.HeaderName] = Field(CoinbaseSignature.HeaderName),
            });
            Assert.Equal("evt-print-1", headers["X-Event-Id"]);
            var t = long.Parse(Field("t"), System.Globalization.CultureInfo.InvariantCulture);

            var check = WebhookTestData.Verifier(FixedClock.AtUnix(t), null, "print-secret").Verify(headers, body);
            Assert.True(check.IsValid, check.Detail);
            Assert.Equal("v1", check.Scheme);
            Assert.Equal(["content-type", "x-event-id", "x-event-type"], check.SignedHeaders);
            Assert.False(WebhookTestData.Verifier(FixedClock.AtUnix(t), null, "another-secret").Verify(headers, body).IsValid);

            // The printed signed string is t.h.values.body, the body exactly as the file holds it.
            var signed = result.Stdout.Split("---\n", 2)[1];
            signed = signed[..signed.LastIndexOf("\n--- end ---", StringComparison.Ordinal)];
            Assert.Equal($"{t}.content-type x-event-id x-event-type.application/json.evt-print-1.onchain.activity.detected."
                + Encoding.UTF8.GetString(body), signed);
            Assert.Equal(before, await host.QueuedTotalAsync()); // --print sends nothing
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string UniqueEventId() =>
        (1_900_000_000_000 + Random.Shared.NextInt64(1, 99_999_999)).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
