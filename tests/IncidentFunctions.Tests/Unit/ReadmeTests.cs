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

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
