namespace Echain.Bench;

/// <summary>Collects one value per figure per run; the report shows the median with every run beside it.</summary>
public sealed class BenchResults
{
    private readonly List<(string Section, string Name, string Unit, string Target, Func<double, bool?> Check, string? Note)> _order = [];
    private readonly Dictionary<string, List<double>> _runs = [];
    private readonly Dictionary<string, string> _notes = [];

    public Dictionary<string, Latency> Curves { get; } = [];
    public List<string> Findings { get; } = [];
    public Dictionary<string, object> Details { get; } = [];

    public void Add(string section, string name, string unit, double value, string target = "—", Func<double, bool?>? check = null, string? note = null)
    {
        var key = section + "\u0001" + name;
        if (!_runs.TryGetValue(key, out var list))
        {
            _runs[key] = list = [];
            _order.Add((section, name, unit, target, check ?? (_ => null), note));
        }
        list.Add(value);
        if (note is not null) _notes[key] = note;
    }

    public IReadOnlyList<Figure> Figures() => _order.Select(o =>
    {
        var key = o.Section + "\u0001" + o.Name;
        var runs = _runs[key];
        var median = Median.Of(runs);
        return new Figure(o.Section, o.Name, o.Unit, median, runs, o.Target,
            double.IsNaN(median) ? false : o.Check(median), _notes.GetValueOrDefault(key));
    }).ToList();

    public static Func<double, bool?> AtLeast(double target) => v => v >= target;
    public static Func<double, bool?> AtMost(double target) => v => v <= target;
}
