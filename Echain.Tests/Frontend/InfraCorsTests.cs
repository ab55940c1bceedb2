using System.Text.Json.Nodes;
using Echain.Tests.Scripts;

namespace Echain.Tests.Frontend;

/// <summary>
/// The compiled ARM JSON (scripts/build-bicep.sh, lint-clean) takes the Function App's CORS from the one deployment
/// parameter corsAllowedOrigins, with credentials, and hands the same list to the app as Echain__Cors__AllowedOrigins__i.
/// </summary>
public sealed class InfraCorsTests
{
    [Fact]
    public async Task The_function_app_gets_platform_CORS_with_credentials_and_the_app_setting_from_the_one_parameter()
    {
        var output = Path.Combine(Path.GetTempPath(), $"echain-main-{Guid.NewGuid():N}.json");
        try
        {
            var build = await ShellScript.RunAsync("scripts/build-bicep.sh", [], new Dictionary<string, string> { ["BICEP_OUT"] = output }, seconds: 300);
            Assert.True(build.ExitCode == 0, build.ToString());
            var template = JsonNode.Parse(await File.ReadAllTextAsync(output))!;

            Assert.NotNull(template["parameters"]?["corsAllowedOrigins"]);
            var functionApp = template["resources"]!.AsArray().Single(r => r!["name"]?.GetValue<string>() == "functionapp")!;
            Assert.Equal("[parameters('corsAllowedOrigins')]", functionApp["properties"]!["parameters"]!["corsAllowedOrigins"]!["value"]!.GetValue<string>());

            var module = functionApp["properties"]!["template"]!;
            var resources = module["resources"]!.AsArray();
            var site = resources.Single(r => r!["type"]!.GetValue<string>() == "Microsoft.Web/sites")!;
            var cors = site["properties"]!["siteConfig"]!["cors"]!;
            Assert.Equal("[parameters('corsAllowedOrigins')]", cors["allowedOrigins"]!.GetValue<string>());
            Assert.True(cors["supportCredentials"]!.GetValue<bool>());

            // Each origin becomes Echain__Cors__AllowedOrigins__<index>, and that object is part of the app settings.
            var corsSettings = module["variables"]!["corsSettings"]!.GetValue<string>();
            Assert.Contains("length(parameters('corsAllowedOrigins'))", corsSettings);
            Assert.Contains("format('Echain__Cors__AllowedOrigins__{0}', lambdaVariables('i'))", corsSettings);
            Assert.Contains("parameters('corsAllowedOrigins')[lambdaVariables('i')]", corsSettings);
            var appSettings = resources.Single(r => r!["type"]!.GetValue<string>() == "Microsoft.Web/sites/config")!;
            Assert.Contains("variables('corsSettings')", appSettings["properties"]!.GetValue<string>());

            // Ticket metadata names absolute URLs: the parameter, else the app's own public host name (never the handler's local URL).
            Assert.Equal("[parameters('metadataPublicBaseUrl')]", functionApp["properties"]!["parameters"]!["metadataPublicBaseUrl"]!["value"]!.GetValue<string>());
            Assert.Contains("createObject('Echain__Metadata__PublicBaseUrl', if(empty(parameters('metadataPublicBaseUrl')), format('https://{0}', "
                + "reference(resourceId('Microsoft.Web/sites', parameters('name')), '2025-03-01').defaultHostName), parameters('metadataPublicBaseUrl')))",
                appSettings["properties"]!.GetValue<string>());
        }
        finally
        {
            File.Delete(output);
        }
    }
}
