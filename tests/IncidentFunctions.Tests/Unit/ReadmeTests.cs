using System.Text.RegularExpressions;
using IncidentFunctions.DevHost.Local;
using IncidentFunctions.Functions;
using IncidentFunctions.Incidents;

namespace IncidentFunctions.Tests.Unit;

/// <summary>Figures the README states that the code decides: the test fails when one side changes without the other.</summary>
public sealed partial class ReadmeTests
{
    /// <summary>The README with every run of white space as one space, so that re-wrapping a paragraph changes nothing.</summary>
    static readonly string Readme = Whitespace().Replace(File.ReadAllText(Path.Combine(RepositoryPaths.Find().Root, "README.md")), " ");

    [Fact]
    public void TheReadmeStatesThePageSizeRangeAndDefaultTheApiEnforces() =>
        Assert.Contains($"`limit` is a page size from 1 to {IncidentStore.MaxPageSize} (default {IncidentApi.DefaultPageSize})", Readme);

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
