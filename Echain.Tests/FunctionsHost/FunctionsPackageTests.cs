using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Echain.Functions.AzureFunctions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Echain.Tests.FunctionsHost;

/// <summary>
/// The deployable zip from scripts/publish-functions.sh against <see cref="FunctionCatalog"/> (each function.json is
/// exactly what the catalog generates, and nothing else is packaged) and against the handler's real routes (read
/// from the running app's EndpointDataSource): every function has a route, every invocation route has a function.
/// </summary>
public sealed class FunctionsPackageTests(FunctionsTestHost functions) : IClassFixture<FunctionsTestHost>
{
    [Fact]
    public async Task The_package_has_host_json_the_executable_with_its_exec_bit_and_a_handler_route_for_every_function()
    {
        var root = RepositoryFiles.Root;
        var (zipPath, temporary) = await PackageAsync(root);
        try
        {
            AssertPackage(root, zipPath);
        }
        finally
        {
            if (temporary is not null) Directory.Delete(temporary, recursive: true);
        }
    }

    private void AssertPackage(string root, string zipPath)
    {
        using var zip = ZipFile.OpenRead(zipPath);
        var entries = zip.Entries.ToDictionary(e => e.FullName);

        var hostJson = Assert.Contains("host.json", entries);
        Assert.Equal(File.ReadAllText(Path.Combine(root, "host.json")), Read(hostJson));
        var exe = Assert.Contains("Echain.Functions", entries);
        var mode = (exe.ExternalAttributes >> 16) & 0x1FF;
        Assert.True((mode & 0b001_001_001) != 0, $"Echain.Functions has mode {Convert.ToString(mode, 8)}: no exec bit");

        var routePrefix = JsonNode.Parse(Read(hostJson))!["extensions"]?["http"]?["routePrefix"]?.GetValue<string>() ?? "api";
        var endpoints = functions.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToArray();
        var invocations = endpoints.Where(e => e.Metadata.GetMetadata<CustomHandlerFunctionMetadata>() is not null).ToArray();
        Assert.NotEmpty(invocations);

        var functionNames = FunctionCatalog.All.Select(f => f.Name).ToArray();
        Assert.NotEmpty(functionNames);
        Assert.Equal(functionNames.Order(), PackagedFunctions(zip).Order());
        foreach (var function in FunctionCatalog.All)
        {
            var name = function.Name;
            var packaged = Assert.Contains($"{name}/function.json", entries);
            var source = Read(packaged);
            Assert.Equal(function.ToFunctionJson(), source);
            // What follows reads the packaged JSON, as the Functions host does, not the catalog's objects.
            var bindings = JsonNode.Parse(source)!["bindings"]!.AsArray().Select(b => b!.AsObject()).ToArray();
            var trigger = bindings.Single(b => b["direction"]!.GetValue<string>() == "in" && b["type"]!.GetValue<string>().EndsWith("Trigger"));
            // enableForwardingHttpRequest forwards only a function with exactly one httpTrigger and one http output.
            var forwarded = bindings.Length == 2 && trigger["type"]!.GetValue<string>() == "httpTrigger"
                            && bindings.Count(b => b["type"]!.GetValue<string>() == "http") == 1;
            Assert.True(forwarded == (function.Mode == FunctionMode.Forwarded), $"{name}: the catalog says {function.Mode}");
            if (forwarded)
            {
                var template = Normalize($"{routePrefix}/{trigger["route"]!.GetValue<string>()}");
                foreach (var method in trigger["methods"]!.AsArray().Select(m => m!.GetValue<string>().ToUpperInvariant()))
                    Assert.True(endpoints.Any(e => Normalize(e.RoutePattern.RawText) == template && Methods(e).Contains(method)),
                        $"{name}: no Kestrel route {method} /{template} for the forwarded request");
            }
            else
            {
                Assert.True(invocations.Any(e => Normalize(e.RoutePattern.RawText) == Normalize(name) && Methods(e).Contains("POST")),
                    $"{name}: payload mode, but the handler has no POST /{name} invocation route");
            }
        }

        foreach (var invocation in invocations)
        {
            var name = invocation.Metadata.GetMetadata<CustomHandlerFunctionMetadata>()!.FunctionName;
            Assert.True(functionNames.Contains(name), $"handler route /{name} has no {name}/function.json in the package");
            Assert.Equal(Normalize(name), Normalize(invocation.RoutePattern.RawText));
        }
    }

    private static IEnumerable<string> PackagedFunctions(ZipArchive zip) =>
        zip.Entries.Where(e => e.FullName.EndsWith("/function.json", StringComparison.Ordinal)).Select(e => e.FullName.Split('/')[0]);

    private static string Normalize(string? route) => (route ?? "").Trim('/').ToLowerInvariant();

    private static IReadOnlyList<string> Methods(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? [];

    private static string Read(ZipArchiveEntry entry)
    {
        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }

    /// <summary>
    /// artifacts/echain-functions.zip when test.sh (or azd's prepackage hook) just built it from the current
    /// catalog and host.json; otherwise the script runs into a temporary folder (~20 s for the self-contained publish).
    /// </summary>
    private static async Task<(string Zip, string? Temporary)> PackageAsync(string root)
    {
        var existing = Path.Combine(root, "artifacts", "echain-functions.zip");
        if (File.Exists(existing) && IsCurrent(root, existing)) return (existing, null);

        var temp = Directory.CreateTempSubdirectory("echain-package-").FullName;
        var info = new ProcessStartInfo("bash", [Path.Combine(root, "scripts", "publish-functions.sh")])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = root,
        };
        info.Environment["STAGING"] = Path.Combine(temp, "staging");
        info.Environment["ZIP"] = Path.Combine(temp, "echain-functions.zip");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(10));
        Assert.True(process.ExitCode == 0, $"publish-functions.sh failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
        return (info.Environment["ZIP"]!, temp);
    }

    private static bool IsCurrent(string root, string zipPath)
    {
        using var zip = ZipFile.OpenRead(zipPath);
        var sources = FunctionCatalog.All.Select(f => (Entry: $"{f.Name}/function.json", Text: f.ToFunctionJson()))
            .Append((Entry: "host.json", Text: File.ReadAllText(Path.Combine(root, "host.json"))));
        return sources.All(s => zip.GetEntry(s.Entry) is { } e && Read(e) == s.Text)
               && PackagedFunctions(zip).Count() == FunctionCatalog.All.Count;
    }
}
