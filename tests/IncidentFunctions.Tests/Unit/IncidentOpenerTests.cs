using IncidentFunctions.Incidents;
using IncidentFunctions.Model;
using IncidentFunctions.Opening;
using IncidentFunctions.Policy;
using IncidentFunctions.Tests.Infrastructure;

namespace IncidentFunctions.Tests.Unit;

public sealed class IncidentOpenerTests
{
    static readonly string SamplePath = Path.Combine(AppContext.BaseDirectory, "Policy", "sample-policy.json");

    [Theory]
    [InlineData(Severity.Critical, "critical")]
    [InlineData(Severity.Warning, "warning")]
    public void TheOpenedEventNamesTheSeverityInLowercaseAsEveryOtherValue(Severity severity, string expected)
    {
        var alert = TestAlerts.Firing("demo", TestAlerts.NewKey()) with { Severity = severity };
        var incident = IncidentEntity.Open("inc-1", alert, DateTimeOffset.UtcNow);
        var triage = PolicyParser.Parse(File.ReadAllBytes(SamplePath), SamplePath).Triage(
            new TriageInput(incident.Integration, alert.Labels, severity, incident.OpenedAt));

        var opened = IncidentOpener.OpeningEvents(incident, triage).Single(e => e.Type == TimelineEventTypes.IncidentOpened);

        Assert.Equal(expected, opened.Data!["severity"]);
    }
}
