using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Echain.Tests.FunctionsHost;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.EndToEnd;

/// <summary>
/// The built app started as run.sh starts it (<c>dotnet Echain.Functions/bin/…/Echain.Functions.dll</c> from the
/// repository root): it loads its appsettings.json, environment variables still win, and its stdout has each request
/// without the query string.
/// </summary>
public sealed partial class LoggingConfigurationTests
{
    private static readonly string AppDll = Path.Combine(RepositoryFiles.Root, "Echain.Functions", "bin", "Release", "net10.0", "Echain.Functions.dll");

    [Fact]
    public async Task Started_from_the_repository_root_the_app_loads_its_logging_configuration()
    {
        var log = await RunAndRequestAsync(new Dictionary<string, string>(), expectRequestLine: false);
        // appsettings.json sets "Microsoft.AspNetCore" and HttpLogging to Warning: no line per request by default.
        Assert.DoesNotContain("Path: /api/health", log);
        Assert.DoesNotContain("Executing endpoint", log);
        Assert.DoesNotContain("secret-token-in-the-query", log);
        Assert.DoesNotContain("secret-connection-token", log);
        Assert.DoesNotContain("Request starting", log);
    }

    [Fact]
    public async Task An_environment_variable_still_wins_over_appsettings_but_not_over_the_request_line_cap()
    {
        var log = await RunAndRequestAsync(new Dictionary<string, string>
        {
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Information",
            ["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information",
            ["Logging__LogLevel__Microsoft.AspNetCore.HttpLogging"] = "Information",
        });
        Assert.Contains("Path: /api/health", log); // the setting that turns request lines on
        Assert.DoesNotContain("\nMethod: GET", log); // one entry, one line (the console's SingleLine)
        Assert.Contains("Executing endpoint", log);
        Assert.DoesNotContain("Request starting", log); // the URL line stays capped in code
        Assert.DoesNotContain("secret-token-in-the-query", log);
    }

    private static async Task<string> RunAndRequestAsync(Dictionary<string, string> environment, bool expectRequestLine = true)
    {
        Assert.True(File.Exists(AppDll), $"{AppDll} is missing: build the solution (dotnet build Echain.sln -c Release) first");
        var postgres = await PostgresServer.GetAsync();
        await using var database = await postgres.CreateDatabaseAsync();
        using var redis = new RedisServer();
        var info = new ProcessStartInfo("dotnet", [AppDll, "--urls", "http://127.0.0.1:0"])
        {
            WorkingDirectory = RepositoryFiles.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["ConnectionStrings__Postgres"] = postgres.ConnectionString(database.Name);
        info.Environment["ConnectionStrings__Redis"] = redis.Configuration;
        info.Environment["Echain__Auth__SigningKey"] = "test-signing-key-0123456789abcdef0123456789";
        info.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in environment) info.Environment[key] = value;
        foreach (var key in new[] { "ASPNETCORE_CONTENTROOT", "DOTNET_CONTENTROOT", "ASPNETCORE_URLS", "Logging__LogLevel__Default" })
            info.Environment.Remove(key);

        using var process = Process.Start(info)!;
        var log = new StringBuilder();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Read(string? line)
        {
            if (line is null) return;
            lock (log) log.AppendLine(line);
            if (ListeningLine().Match(line) is { Success: true } match) listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
        process.OutputDataReceived += (_, e) => Read(e.Data);
        process.ErrorDataReceived += (_, e) => Read(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var baseUrl = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
            using var http = new HttpClient { BaseAddress = baseUrl };
            using var health = await http.GetAsync("api/health?access_token=secret-token-in-the-query&id=secret-connection-token");
            Assert.True(health.IsSuccessStatusCode || (int)health.StatusCode == 503, $"health answered {(int)health.StatusCode}");
            // HttpLogging writes after the response; the console logger a moment later.
            if (expectRequestLine)
                await Eventually.TrueAsync(() => { lock (log) return Task.FromResult(log.ToString().Contains("Path: /api/health")); },
                    "the request's log line", 15);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        lock (log) return log.ToString();
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
