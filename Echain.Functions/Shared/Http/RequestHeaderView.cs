using System.Diagnostics.CodeAnalysis;

namespace Echain.Functions.Shared.Http;

/// <summary>
/// A request's headers as the host-agnostic webhook ingest reads them, without copying them into a dictionary per
/// request: lookups go to Kestrel's own (case-insensitive) collection, a header sent twice reads as its values joined by a comma.
/// </summary>
public sealed class RequestHeaderView(IHeaderDictionary headers) : IReadOnlyDictionary<string, string>
{
    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

    public IEnumerable<string> Keys => headers.Keys;

    public IEnumerable<string> Values => headers.Values.Select(v => v.ToString());

    public int Count => headers.Count;

    public bool ContainsKey(string key) => headers.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        if (headers.TryGetValue(key, out var values))
        {
            value = values.ToString();
            return true;
        }
        value = null;
        return false;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() =>
        headers.Select(h => KeyValuePair.Create(h.Key, h.Value.ToString())).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
