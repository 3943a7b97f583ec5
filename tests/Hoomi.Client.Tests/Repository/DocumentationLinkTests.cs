using System.Text.RegularExpressions;

namespace Hoomi.Client.Tests.Repository;

/// <summary>The repository stands alone: every relative link of its Markdown resolves inside it, and nothing points outside.</summary>
public sealed partial class DocumentationLinkTests
{
    private static readonly string[] SkippedFolders = ["bin", "obj", "node_modules", ".git", "TestResults"];

    private static string Root()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Hoomi.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("The repository root (Hoomi.sln) was not found.");
    }

    private static IEnumerable<string> Files(string root, params string[] extensions) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Where(f => !Path.GetRelativePath(root, f).Split(Path.DirectorySeparatorChar).Any(SkippedFolders.Contains));

    [GeneratedRegex(@"\]\(([^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex MarkdownLink();

    [Test]
    public void Every_relative_link_in_the_markdown_resolves_to_a_file_in_the_repository()
    {
        var root = Root();
        var checkedLinks = 0;
        var broken = new List<string>();
        foreach (var file in Files(root, ".md"))
        {
            foreach (Match match in MarkdownLink().Matches(File.ReadAllText(file)))
            {
                var target = match.Groups[1].Value;
                if (target.StartsWith('#') || target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
                {
                    continue;
                }

                var path = Uri.UnescapeDataString(target.Split('#')[0]);
                var resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, path));
                checkedLinks++;
                if (!resolved.StartsWith(root, StringComparison.Ordinal) || !(File.Exists(resolved) || Directory.Exists(resolved)))
                {
                    broken.Add($"{Path.GetRelativePath(root, file)}: {target}");
                }
            }
        }

        Assert.That(broken, Is.Empty);
        Assert.That(checkedLinks, Is.GreaterThan(10), "the README and docs do link to files");
    }

    [Test]
    public void Nothing_in_the_repository_points_outside_it()
    {
        var root = Root();
        var outside = Files(root, ".md", ".cs", ".sh", ".json", ".csproj", ".props", ".js", ".ts")
            .Where(f => File.ReadAllText(f).Contains("../shared/", StringComparison.Ordinal) || File.ReadAllText(f).Contains("/work/shared", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, f))
            .Where(f => f != Path.Combine("tests", "Hoomi.Client.Tests", "Repository", "DocumentationLinkTests.cs"))
            .ToList();
        Assert.That(outside, Is.Empty);
    }
}
