using System.Text.RegularExpressions;
using IncidentFunctions.DevHost.Local;
using IncidentFunctions.Functions;
using IncidentFunctions.Incidents;

namespace IncidentFunctions.Tests.Unit;

/// <summary>Figures the README and docs/ state that the code decides: the test fails when one side changes without the other.</summary>
public sealed partial class ReadmeTests
{
    static readonly string Root = RepositoryPaths.Find().Root;

    /// <summary>A page with every run of white space as one space, so that re-wrapping a paragraph changes nothing.</summary>
    static string Page(string path) => Whitespace().Replace(File.ReadAllText(Path.Combine(Root, path)), " ");

    [Fact]
    public void TheHttpApiPageStatesThePageSizeRangeAndDefaultTheApiEnforces() =>
        Assert.Contains($"`limit` is a page size from 1 to {IncidentStore.MaxPageSize} (default {IncidentApi.DefaultPageSize})", Page("docs/http-api.md"));

    /// <summary>
    /// The picture that opens docs/architecture.md draws each folder and exactly the dependencies ArchitectureTests
    /// allows: one line per folder, "Folder --> Used & Used & ...", or the folder alone when it uses nothing.
    /// </summary>
    [Fact]
    public void TheArchitecturePictureDrawsExactlyTheAllowedDependencies()
    {
        var picture = MermaidBlock().Match(File.ReadAllText(Path.Combine(Root, "docs", "architecture.md"))).Groups["body"].Value;
        var rows = picture.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split("-->", StringSplitOptions.TrimEntries))
            .Select(parts => (Folder: parts[0], Uses: parts.Length > 1 ? parts[1].Split('&', StringSplitOptions.TrimEntries) : []))
            .ToList();
        var drawn = rows.SelectMany(r => r.Uses.Select(used => $"{r.Folder} --> {used}"));
        var allowed = ArchitectureTests.Allowed.SelectMany(p => p.Value.Select(used => $"{p.Key} --> {used}"));

        Assert.Equal(ArchitectureTests.Allowed.Keys.Order(StringComparer.Ordinal), rows.Select(r => r.Folder).Order(StringComparer.Ordinal));
        Assert.Equal(allowed.Order(StringComparer.Ordinal), drawn.Order(StringComparer.Ordinal));
    }

    /// <summary>The first Mermaid block's body, without its "flowchart" line.</summary>
    [GeneratedRegex(@"```mermaid\s*\n\s*flowchart [A-Z]{2}\s*\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex MermaidBlock();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
