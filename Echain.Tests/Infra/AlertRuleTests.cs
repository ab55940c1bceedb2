using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Echain.Core.Telemetry;
using Echain.Tests.FunctionsHost;
using Echain.Tests.Scripts;

namespace Echain.Tests.Infra;

/// <summary>The compiled ARM JSON of infra/ (scripts/build-bicep.sh, lint-clean), built once for these tests.</summary>
public sealed class CompiledInfra : IAsyncLifetime
{
    public JsonNode Template { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var output = Path.Combine(Path.GetTempPath(), $"echain-main-{Guid.NewGuid():N}.json");
        try
        {
            var build = await ShellScript.RunAsync("scripts/build-bicep.sh", [], new Dictionary<string, string> { ["BICEP_OUT"] = output }, seconds: 300);
            Assert.True(build.ExitCode == 0, build.ToString());
            Template = JsonNode.Parse(await File.ReadAllTextAsync(output))!;
        }
        finally
        {
            File.Delete(output);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public JsonNode Module(string name) =>
        Template["resources"]!.AsArray().Single(r => r!["name"]?.GetValue<string>() == name)!;
}

/// <summary>
/// Every figure of <see cref="Kpis.All"/> has its alert rule, named echain-&lt;id&gt;, whose threshold is a deployment
/// parameter defaulting to the catalog's threshold, and every rule notifies the one optional action group.
/// </summary>
public sealed class AlertRuleTests(CompiledInfra infra) : IClassFixture<CompiledInfra>
{
    /// <summary>The deployment parameter of each figure's threshold (main.bicep).</summary>
    private static readonly Dictionary<string, string> ThresholdParameters = new()
    {
        [Kpis.WebhookProcessingTime.Id] = "alertWebhookProcessingTimeMs",
        [Kpis.RealtimeConnections.Id] = "alertRealtimeConnections",
        [Kpis.CacheHitRate.Id] = "alertCacheHitRatePercent",
        [Kpis.QueryResponseTime.Id] = "alertQueryResponseTimeMs",
        [Kpis.WebhookFailureRate.Id] = "alertWebhookFailureRatePercent",
        [Kpis.DeadLetters.Id] = "alertDeadLetters",
        [Kpis.ProjectorLag.Id] = "alertProjectorLagSeconds",
        [Kpis.WebhooksSilent.Id] = "alertWebhooksSilentMinutes",
        [Kpis.CdpUnhealthy.Id] = "alertCdpUnhealthyUpdates",
    };

    /// <summary>ARM expressions as written (the default encoder escapes their quotes).</summary>
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static TheoryData<string> KpiIds => new(Kpis.All.Select(k => k.Id));

    [Theory]
    [MemberData(nameof(KpiIds))]
    public void Each_figure_has_a_rule_whose_threshold_defaults_to_the_catalogs(string id)
    {
        var kpi = Kpis.All.Single(k => k.Id == id);
        Assert.True(ThresholdParameters.TryGetValue(id, out var parameter), $"no threshold parameter mapped for {id}");

        var declared = infra.Template["parameters"]![parameter];
        Assert.NotNull(declared);
        Assert.Equal(kpi.Threshold, declared!["defaultValue"]!.GetValue<double>());

        // main.bicep hands the parameter to one parameter of the alerts module, and the figure's rule uses that one.
        var alerts = infra.Module("alerts");
        var handedAs = alerts["properties"]!["parameters"]!.AsObject()
            .Single(p => p.Value!["value"] is JsonValue value && value.GetValueKind() == JsonValueKind.String
                && value.GetValue<string>() == $"[parameters('{parameter}')]").Key;
        var rule = RuleOf(alerts["properties"]!["template"]!, id);
        Assert.Contains($"parameters('{handedAs}')", rule.ToJsonString(Readable));
    }

    [Fact]
    public void Every_rule_notifies_the_action_group_parameter_and_none_when_it_is_empty()
    {
        var declared = infra.Template["parameters"]!["alertActionGroupId"]!;
        Assert.Equal("", declared["defaultValue"]!.GetValue<string>());
        var parametersFile = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryRoot, "infra", "main.parameters.json")))!;
        Assert.NotNull(parametersFile["parameters"]!["alertActionGroupId"]);

        var alerts = infra.Module("alerts");
        Assert.Equal("[parameters('alertActionGroupId')]", alerts["properties"]!["parameters"]!["actionGroupId"]!["value"]!.GetValue<string>());
        var module = alerts["properties"]!["template"]!;
        Assert.Equal("[if(empty(parameters('actionGroupId')), createArray(), createArray(parameters('actionGroupId')))]",
            module["variables"]!["actionGroups"]!.GetValue<string>());

        var rules = module["resources"]!.AsArray().Where(r => r!["type"]!.GetValue<string>() is
            "Microsoft.Insights/scheduledQueryRules" or "Microsoft.Insights/metricAlerts").ToList();
        Assert.Equal(Kpis.All.Count, rules.Sum(r => r!["copy"] is null ? 1 : LogRuleIds(module).Count));
        foreach (var rule in rules)
        {
            var actions = rule!["properties"]!["actions"]!;
            var wired = rule["type"]!.GetValue<string>() == "Microsoft.Insights/metricAlerts"
                ? actions.GetValue<string>() == "[variables('metricActions')]"
                : actions["actionGroups"]!.GetValue<string>() == "[variables('actionGroups')]";
            Assert.True(wired, $"{rule["name"]} is not wired to the action group: {actions.ToJsonString()}");
        }
    }

    [Fact]
    public void SignalR_defaults_to_Standard_S1_with_a_units_parameter_from_1_to_100()
    {
        var parameters = infra.Template["parameters"]!;
        Assert.Equal("Standard_S1", parameters["signalRSku"]!["defaultValue"]!.GetValue<string>());
        var units = parameters["signalRUnits"]!;
        Assert.Equal(1, units["defaultValue"]!.GetValue<int>());
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
            units["allowedValues"]!.AsArray().Select(u => u!.GetValue<int>()));

        var signalR = infra.Module("signalr");
        Assert.Equal("[if(equals(parameters('signalRSku'), 'Free_F1'), createObject('value', 1), createObject('value', parameters('signalRUnits')))]",
            signalR["properties"]!["parameters"]!["capacity"]!.GetValue<string>());
        var service = signalR["properties"]!["template"]!["resources"]!.AsArray()
            .Single(r => r!["type"]!.GetValue<string>() == "Microsoft.SignalRService/signalR")!;
        Assert.Equal("[parameters('capacity')]", service["sku"]!["capacity"]!.GetValue<string>());
        Assert.Equal("Standard_S1", signalR["properties"]!["template"]!["parameters"]!["skuName"]!["defaultValue"]!.GetValue<string>());
    }

    /// <summary>A figure's rule: its entry of the log rules (the copy loop's input) or its metric alert.</summary>
    private static JsonNode RuleOf(JsonNode module, string id)
    {
        var logRule = module["variables"]!["logRules"]!.AsArray().SingleOrDefault(r => r!["id"]!.GetValue<string>() == id);
        if (logRule is not null) return logRule;
        return module["resources"]!.AsArray().SingleOrDefault(r => r!["name"]?.GetValue<string>() == $"echain-{id}")
            ?? throw new Xunit.Sdk.XunitException($"no alert rule for {id}");
    }

    private static List<string> LogRuleIds(JsonNode module) =>
        module["variables"]!["logRules"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()).ToList();

    private static string RepositoryRoot => RepositoryFiles.Root;
}
