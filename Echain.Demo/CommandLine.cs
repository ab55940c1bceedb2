using System.Globalization;

namespace Echain.Demo;

/// <summary>"--name value" flags of one command; a wrong or missing flag is a <see cref="UsageException"/> (exit code 2).</summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    public CommandLine(IReadOnlyList<string> args, IReadOnlyCollection<string> known)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (!known.Contains(name))
                throw new UsageException($"unknown flag '{name}' (known: {string.Join(", ", known)})");
            if (i + 1 >= args.Count)
                throw new UsageException($"{name} needs a value");
            (_values.TryGetValue(name, out var list) ? list : _values[name] = []).Add(args[++i]);
        }
    }

    public string? Value(string name) => _values.TryGetValue(name, out var list) ? list[^1] : null;

    public IReadOnlyList<string> Values(string name) => _values.TryGetValue(name, out var list) ? list : [];

    public string Required(string name) => Value(name) ?? throw new UsageException($"{name} is required");

    public Uri Url(string name, string? fallback = null)
    {
        var text = Value(name) ?? fallback ?? throw new UsageException($"{name} is required");
        return Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            ? url : throw new UsageException($"{name} must be an http(s) URL");
    }

    public double Number(string name, double fallback) =>
        Value(name) is not { } text ? fallback
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0 ? n
        : throw new UsageException($"{name} must be a non-negative number, not '{text}'");
}

public sealed class UsageException(string message) : Exception(message);
