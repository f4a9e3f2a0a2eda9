using IncidentFunctions.Incidents;
using IncidentFunctions.Ingestion;
using IncidentFunctions.Lifecycle;
using IncidentFunctions.Policy;
using IncidentFunctions.Tests.Infrastructure;
using IncidentFunctions.Timeline;

namespace IncidentFunctions.Tests.Unit;

public sealed class IncidentOpeningTests
{
    static readonly string SamplePath = Path.Combine(AppContext.BaseDirectory, "Policy", "sample-policy.json");

    [Theory]
    [InlineData(Severity.Critical, "critical")]
    [InlineData(Severity.Warning, "warning")]
    public void TheOpenedEventNamesTheSeverityInLowercaseAsEveryOtherValue(Severity severity, string expected)
    {
        var alert = TestAlerts.Firing("demo", TestAlerts.NewKey()) with { Severity = severity };
        var incident = IncidentEntity.Open("inc-1", alert, DateTimeOffset.UtcNow);
        var triage = IncidentOpening.Triage(incident, PolicyParser.Parse(File.ReadAllBytes(SamplePath), SamplePath));

        var opened = IncidentOpening.Events(incident, triage).Single(e => e.Type == TimelineEventTypes.IncidentOpened);

        Assert.Equal(expected, opened.Data!["severity"]);
    }
}
