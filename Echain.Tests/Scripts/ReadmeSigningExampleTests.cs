using System.Diagnostics;
using System.Text;
using Echain.Core.Webhooks;
using Echain.Tests.FunctionsHost;
using Echain.Tests.Webhooks;

namespace Echain.Tests.Scripts;

/// <summary>
/// The README's worked signing example is true: the values in its <c>signing-example</c> block are what
/// <see cref="CoinbaseSignature"/> signs and accepts, and its <c>signing-example-openssl</c> command, run by bash,
/// prints the documented hex.
/// </summary>
public sealed class ReadmeSigningExampleTests
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "README.md"));

    [Fact]
    public void The_example_signature_is_what_CoinbaseSignature_signs_and_accepts()
    {
        var example = ExampleValues();
        var t = long.Parse(example["t"], System.Globalization.CultureInfo.InvariantCulture);
        var names = example["h"].Split(' ');
        Assert.Equal(["content-type", "x-event-id", "x-event-type"], names);
        var body = Encoding.UTF8.GetBytes(example["body"]);

        // The documented signed string is the rule applied to the documented values.
        Assert.Equal($"{t}.{example["h"]}.{string.Join('.', names.Select(n => example[n]))}.{example["body"]}", example["signed string"]);

        var headers = WebhookTestData.Headers(names.Select(n => KeyValuePair.Create(n, example[n]))
            .Append(KeyValuePair.Create(CoinbaseSignature.HeaderName, example["X-Hook0-Signature"])));
        var check = WebhookTestData.Verifier(FixedClock.AtUnix(t), null, example["secret"]).Verify(headers, body);
        Assert.True(check.IsValid, check.Detail);
        Assert.Equal("v1", check.Scheme);

        // The header the code produces carries the same v1 (Sign adds a v0 beside it).
        var signed = CoinbaseSignature.Sign(example["secret"], t, names.Select(n => KeyValuePair.Create(n, example[n])).ToList(), body);
        Assert.Equal(V1(example["X-Hook0-Signature"]), V1(signed));
        // A changed byte of the body no longer verifies: the example is not accepted by accident.
        Assert.False(WebhookTestData.Verifier(FixedClock.AtUnix(t), null, example["secret"])
            .Verify(headers, Encoding.UTF8.GetBytes(example["body"] + " ")).IsValid);
    }

    [Fact]
    public async Task The_example_openssl_command_prints_the_documented_hex()
    {
        var block = FencedBlock("sh signing-example-openssl");
        var command = string.Join('\n', block.Where(l => !l.StartsWith('#')));
        var documented = block.Single(l => l.StartsWith("# ", StringComparison.Ordinal)).Split("= ")[1].Trim();
        Assert.Equal(V1(ExampleValues()["X-Hook0-Signature"]), documented);
        Assert.Contains(ExampleValues()["signed string"], command);

        var info = new ProcessStartInfo("bash", ["-c", command]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var stdout = await process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, stderr);
        // OpenSSL's label differs between versions ("SHA2-256(stdin)=", "HMAC-SHA256(stdin)="): the hex is the last word.
        Assert.Equal(documented, stdout.Trim().Split(' ')[^1]);
    }

    private static Dictionary<string, string> ExampleValues() =>
        FencedBlock("text signing-example").ToDictionary(
            l => l[..l.IndexOf(':')],
            l => l[(l.IndexOf(':') + 1)..].TrimStart(' '));

    /// <summary>The lines of the README's fenced block whose info string is <paramref name="info"/>.</summary>
    private static List<string> FencedBlock(string info)
    {
        var lines = Readme.Split('\n');
        var start = Array.IndexOf(lines, "```" + info);
        Assert.True(start >= 0, $"README.md has no ```{info} block");
        var end = Array.IndexOf(lines, "```", start + 1);
        Assert.True(end > start, $"README.md's ```{info} block is not closed");
        return lines[(start + 1)..end].ToList();
    }

    private static string V1(string header) =>
        header.Split(',').Single(p => p.StartsWith("v1=", StringComparison.Ordinal))[3..];
}
