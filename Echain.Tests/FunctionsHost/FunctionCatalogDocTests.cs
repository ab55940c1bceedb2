using System.Text.RegularExpressions;
using Echain.Functions.AzureFunctions;

namespace Echain.Tests.FunctionsHost;

/// <summary>
/// docs/azure-functions.md's function table against <see cref="FunctionCatalog"/>: every function is listed once, with
/// its trigger (methods and route, or queue), its bindings in function.json order and its mode, and every binding
/// type, direction and backticked setting the table states is what the catalog generates.
/// </summary>
public sealed partial class FunctionCatalogDocTests
{
    private static readonly string DocPath = Path.Combine(RepositoryFiles.Root, "docs", "azure-functions.md");

    [Fact]
    public void The_doc_lists_every_catalog_function_once_and_nothing_else()
    {
        var rows = FunctionRows();
        Assert.Equal(rows.Count, rows.Select(r => r.Function).Distinct().Count());
        Assert.Equal(FunctionCatalog.All.Select(f => f.Name).Order(), rows.Select(r => r.Function).Order());
    }

    [Fact]
    public void Each_row_states_the_catalog_trigger_bindings_and_mode()
    {
        foreach (var row in FunctionRows())
        {
            var function = FunctionCatalog.All.Single(f => f.Name == row.Function);
            Assert.True(function.Mode.ToString().Equals(row.Mode, StringComparison.OrdinalIgnoreCase), $"{row.Function}: mode {row.Mode}, catalog {function.Mode}");
            AssertTrigger(row, function.Trigger);

            var items = TopLevelItems(row.Bindings);
            var bindings = function.AllBindings.ToArray();
            Assert.True(items.Count == bindings.Length, $"{row.Function}: the doc lists {items.Count} bindings, the catalog has {bindings.Length}");
            foreach (var (item, binding) in items.Zip(bindings))
                AssertBinding(row.Function, item, binding);
        }
    }

    private static void AssertTrigger(Row row, TriggerBinding trigger)
    {
        switch (trigger)
        {
            case HttpTriggerBinding http:
                var match = HttpTriggerCell().Match(row.Trigger);
                Assert.True(match.Success, $"{row.Function}: trigger cell '{row.Trigger}' is not 'METHOD `route`'");
                Assert.Equal(http.Methods, match.Groups["methods"].Value.Split('/').Select(m => m.ToLowerInvariant()));
                Assert.Equal(http.Route, match.Groups["route"].Value);
                break;
            case ServiceBusTriggerBinding serviceBus:
                var queue = QueueTriggerCell().Match(row.Trigger);
                Assert.True(queue.Success, $"{row.Function}: trigger cell '{row.Trigger}' is not 'queue `name`'");
                Assert.Equal(serviceBus.QueueName, queue.Groups["queue"].Value);
                if (queue.Groups["cardinality"].Success) Assert.Equal(serviceBus.Cardinality, queue.Groups["cardinality"].Value);
                break;
            case TimerTriggerBinding timer:
                var schedule = TimerTriggerCell().Match(row.Trigger);
                Assert.True(schedule.Success, $"{row.Function}: trigger cell '{row.Trigger}' is not 'timer `schedule`'");
                Assert.Equal(timer.Schedule, schedule.Groups["schedule"].Value);
                break;
            case SignalRTriggerBinding signalR:
                var upstream = SignalRTriggerCell().Match(row.Trigger);
                Assert.True(upstream.Success, $"{row.Function}: trigger cell '{row.Trigger}' is not 'signalR `category/event` (hub `name`)'");
                Assert.Equal((signalR.Category, signalR.Event, signalR.HubName),
                    (upstream.Groups["category"].Value, upstream.Groups["event"].Value, upstream.Groups["hub"].Value));
                break;
            default:
                throw new Xunit.Sdk.XunitException($"{row.Function}: no doc check for a {trigger.Type} trigger");
        }
    }

    private static void AssertBinding(string function, string item, FunctionBinding binding)
    {
        var match = BindingItem().Match(item);
        Assert.True(match.Success, $"{function}: binding '{item}' is not '`name`[: type [in|out]] [(settings)]'");
        Assert.Equal(binding.Name, match.Groups["name"].Value);
        if (match.Groups["type"].Success) Assert.Equal(binding.Type, match.Groups["type"].Value);
        if (match.Groups["direction"].Success) Assert.Equal(binding.Direction, match.Groups["direction"].Value);
        var values = binding.Properties().Select(p => p.Value?.ToString()).ToHashSet();
        foreach (var value in Backticked().Matches(match.Groups["settings"].Value).Select(m => m.Groups[1].Value))
            Assert.True(values.Contains(value), $"{function}.{binding.Name}: the doc says `{value}`, the catalog has {string.Join(", ", values)}");
    }

    private sealed record Row(string Function, string Trigger, string Bindings, string Mode);

    /// <summary>The rows of the table whose header starts with "| Function | Trigger".</summary>
    private static List<Row> FunctionRows()
    {
        var lines = File.ReadAllLines(DocPath);
        var header = Array.FindIndex(lines, l => l.StartsWith("| Function | Trigger", StringComparison.Ordinal));
        Assert.True(header >= 0, $"{DocPath}: no '| Function | Trigger' table");
        var rows = lines.Skip(header + 2).TakeWhile(l => l.StartsWith('|'))
            .Select(l => l.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray())
            .Select(c => c.Length == 4 ? new Row(c[0], c[1], c[2], c[3]) : throw new Xunit.Sdk.XunitException($"not four cells: {string.Join("|", c)}"))
            .ToList();
        Assert.NotEmpty(rows);
        return rows;
    }

    /// <summary>The cell split at the commas outside parentheses: "`a`: x (p, q), `b`" is two bindings.</summary>
    private static List<string> TopLevelItems(string cell)
    {
        var items = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < cell.Length; i++)
        {
            depth += cell[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (cell[i] == ',' && depth == 0)
            {
                items.Add(cell[start..i].Trim());
                start = i + 1;
            }
        }
        items.Add(cell[start..].Trim());
        return items;
    }

    [GeneratedRegex(@"^(?<methods>[A-Z]+(?:/[A-Z]+)*) `(?<route>[^`]+)`")]
    private static partial Regex HttpTriggerCell();

    [GeneratedRegex(@"^queue `(?<queue>[^`]+)`(?: \(cardinality (?<cardinality>\w+)\))?")]
    private static partial Regex QueueTriggerCell();

    [GeneratedRegex(@"^timer `(?<schedule>[^`]+)`")]
    private static partial Regex TimerTriggerCell();

    [GeneratedRegex(@"^signalR `(?<category>[^/`]+)/(?<event>[^`]+)` \(hub `(?<hub>[^`]+)`\)")]
    private static partial Regex SignalRTriggerCell();

    [GeneratedRegex(@"^`(?<name>\w+)`(?::\s*(?<type>\w+)(?:\s+(?<direction>in|out))?)?(?:\s*\((?<settings>.*)\))?$")]
    private static partial Regex BindingItem();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Backticked();
}
