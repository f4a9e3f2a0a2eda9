using IncidentFunctions.Incidents;
using IncidentFunctions.Model;
using IncidentFunctions.Tests.Infrastructure;

namespace IncidentFunctions.Tests.Unit;

public sealed class AlertGroupsTests
{
    static readonly string[] ByClusterAndName = ["cluster", "alertname"];

    static Alert Labelled(string dedupKey, AlertStatus status = AlertStatus.Firing, params (string Name, string Value)[] labels)
    {
        var alert = status == AlertStatus.Firing ? TestAlerts.Firing("prom", dedupKey) : TestAlerts.Resolved("prom", dedupKey);
        return alert with { Labels = labels.ToDictionary(l => l.Name, l => l.Value) };
    }

    static Alert Grouped(string dedupKey, AlertStatus status = AlertStatus.Firing, string cluster = "db-eu") =>
        AlertGroups.Apply(Labelled(dedupKey, status, ("alertname", "DiskFull"), ("cluster", cluster), ("instance", dedupKey)), ByClusterAndName);

    [Fact]
    public void AlertsWithTheSameGroupLabelsShareAGroupKeyWhateverTheirOtherLabels()
    {
        var first = Grouped("node-1");
        var second = Grouped("node-2");

        Assert.StartsWith(AlertGroups.Prefix, first.GroupKey);
        Assert.Equal(first.GroupKey, second.GroupKey);
        Assert.Equal(first.GroupKey, first.IncidentKey);
        Assert.Equal("node-1", first.DedupKey);
    }

    [Fact]
    public void ADifferentValueOfAGroupLabelIsADifferentGroup()
    {
        Assert.NotEqual(Grouped("node-1").GroupKey, Grouped("node-1", cluster: "db-us").GroupKey);
    }

    [Fact]
    public void TheOrderOfTheConfiguredLabelsDoesNotMatter()
    {
        var alert = Labelled("node-1", AlertStatus.Firing, ("alertname", "DiskFull"), ("cluster", "db-eu"));

        Assert.Equal(AlertGroups.Apply(alert, ["cluster", "alertname"]).GroupKey, AlertGroups.Apply(alert, ["alertname", "cluster"]).GroupKey);
    }

    [Fact]
    public void AnAlertMissingAGroupLabelIsNotGroupedAndKeepsItsOwnIncident()
    {
        var alert = AlertGroups.Apply(Labelled("node-1", AlertStatus.Firing, ("alertname", "DiskFull")), ByClusterAndName);

        Assert.Null(alert.GroupKey);
        Assert.Equal("node-1", alert.IncidentKey);
    }

    [Fact]
    public void ValuesCannotCollideByMovingTextBetweenLabels()
    {
        var one = AlertGroups.Apply(Labelled("a", AlertStatus.Firing, ("x", "1;y=2"), ("y", "3")), ["x", "y"]);
        var other = AlertGroups.Apply(Labelled("b", AlertStatus.Firing, ("x", "1"), ("y", "2;y=3")), ["x", "y"]);

        Assert.NotEqual(one.GroupKey, other.GroupKey);
    }

    [Fact]
    public void AGroupsIncidentIsSourceResolvedOnlyWhenItsLastFiringMemberResolves()
    {
        var incident = IncidentEntity.Open("INC-1", Grouped("node-1"), DateTimeOffset.UtcNow);
        incident.Observe(Grouped("node-2"));

        incident.Observe(Grouped("node-1", AlertStatus.Resolved));
        Assert.Null(incident.SourceResolvedAt);

        incident.Observe(Grouped("node-1", AlertStatus.Resolved));
        Assert.Null(incident.SourceResolvedAt);

        var last = Grouped("node-2", AlertStatus.Resolved);
        incident.Observe(last);
        Assert.Equal(last.ReceivedAt, incident.SourceResolvedAt);

        incident.Observe(Grouped("node-3"));
        Assert.Null(incident.SourceResolvedAt);
    }

    [Fact]
    public void ASingleAlertsIncidentIsSourceResolvedByItsFirstResolution()
    {
        var incident = IncidentEntity.Open("INC-2", TestAlerts.Firing("prom", "k"), DateTimeOffset.UtcNow);
        var resolved = TestAlerts.Resolved("prom", "k");

        incident.Observe(resolved);

        Assert.Equal(resolved.ReceivedAt, incident.SourceResolvedAt);
        Assert.Null(incident.FiringMembers);
    }
}
