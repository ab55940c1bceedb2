using System.Text.RegularExpressions;
using Echain.Tests.FunctionsHost;

namespace Echain.Tests.Docs;

/// <summary>
/// The repository stands alone: every relative link in its Markdown (README, docs/, infra/, bench/) names a file or
/// folder that exists inside the clone, so a newcomer never follows a link out of it or into nothing.
/// </summary>
public sealed partial class MarkdownLinkTests
{
    [Fact]
    public void Every_relative_link_resolves_inside_the_repository()
    {
        var root = Path.GetFullPath(RepositoryFiles.Root);
        var files = MarkdownFiles(root).ToList();
        Assert.Contains(files, f => Path.GetFileName(f) == "README.md" && Path.GetDirectoryName(f) == root);
        var broken = new List<string>();
        var checkedLinks = 0;
        foreach (var file in files)
            foreach (Match link in Link().Matches(File.ReadAllText(file)))
            {
                var target = link.Groups["target"].Value;
                if (target.StartsWith('#') || Uri.TryCreate(target, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "mailto")
                    continue;
                checkedLinks++;
                var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, Uri.UnescapeDataString(target.Split('#')[0])));
                var relative = Path.GetRelativePath(root, file);
                if (!path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) && path != root)
                    broken.Add($"{relative}: ({target}) leaves the repository");
                else if (!File.Exists(path) && !Directory.Exists(path))
                    broken.Add($"{relative}: ({target}) does not exist");
            }
        Assert.True(checkedLinks > 5, $"only {checkedLinks} relative links found: is the pattern right?");
        Assert.True(broken.Count == 0, string.Join("\n", broken));
    }

    private static IEnumerable<string> MarkdownFiles(string root) =>
        Directory.EnumerateFiles(root, "*.md", SearchOption.AllDirectories).Where(f =>
        {
            var parts = Path.GetRelativePath(root, f).Split(Path.DirectorySeparatorChar);
            return !parts.Any(p => p is "node_modules" or "bin" or "obj" or "artifacts" or ".data" or ".git" or "tmp");
        });

    // [text](target) and [text](target "title"); images too.
    [GeneratedRegex(@"\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex Link();
}
