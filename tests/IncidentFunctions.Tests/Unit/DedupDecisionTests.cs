using IncidentFunctions.Incidents;
using IncidentFunctions.Ingestion;
using IncidentFunctions.Model;

namespace IncidentFunctions.Tests.Unit;

public sealed class DedupDecisionTests
{
    [Theory]
    // A firing alert with no key claims one, whatever incident might be lying around.
    [InlineData(AlertStatus.Firing, false, null, DedupAction.OpenNew)]
    [InlineData(AlertStatus.Firing, false, IncidentStatus.Open, DedupAction.OpenNew)]
    [InlineData(AlertStatus.Firing, false, IncidentStatus.Acknowledged, DedupAction.OpenNew)]
    [InlineData(AlertStatus.Firing, false, IncidentStatus.Resolved, DedupAction.OpenNew)]
    // A key without its incident: the opener is mid-way or crashed, so finish opening.
    [InlineData(AlertStatus.Firing, true, null, DedupAction.CompleteOpening)]
    // A live incident counts the alert; a resolved one means the problem is back: a new incident.
    [InlineData(AlertStatus.Firing, true, IncidentStatus.Open, DedupAction.Append)]
    [InlineData(AlertStatus.Firing, true, IncidentStatus.Acknowledged, DedupAction.Append)]
    [InlineData(AlertStatus.Firing, true, IncidentStatus.Resolved, DedupAction.OpenNew)]
    // A resolve for a key that never opened anything has nothing to attach to.
    [InlineData(AlertStatus.Resolved, false, null, DedupAction.DropUnmatchedResolve)]
    [InlineData(AlertStatus.Resolved, false, IncidentStatus.Open, DedupAction.DropUnmatchedResolve)]
    [InlineData(AlertStatus.Resolved, false, IncidentStatus.Acknowledged, DedupAction.DropUnmatchedResolve)]
    [InlineData(AlertStatus.Resolved, false, IncidentStatus.Resolved, DedupAction.DropUnmatchedResolve)]
    // A resolve for an incident still being opened waits for it.
    [InlineData(AlertStatus.Resolved, true, null, DedupAction.RetryLater)]
    // A resolve for a live incident resolves it from the source; for a resolved one it is only noted.
    [InlineData(AlertStatus.Resolved, true, IncidentStatus.Open, DedupAction.SourceResolved)]
    [InlineData(AlertStatus.Resolved, true, IncidentStatus.Acknowledged, DedupAction.SourceResolved)]
    [InlineData(AlertStatus.Resolved, true, IncidentStatus.Resolved, DedupAction.NoteOnResolved)]
    // An acknowledgement from the source never opens anything: without a live incident it is dropped.
    [InlineData(AlertStatus.Acknowledged, false, null, DedupAction.DropAcknowledge)]
    [InlineData(AlertStatus.Acknowledged, false, IncidentStatus.Open, DedupAction.DropAcknowledge)]
    [InlineData(AlertStatus.Acknowledged, false, IncidentStatus.Acknowledged, DedupAction.DropAcknowledge)]
    [InlineData(AlertStatus.Acknowledged, false, IncidentStatus.Resolved, DedupAction.DropAcknowledge)]
    [InlineData(AlertStatus.Acknowledged, true, null, DedupAction.RetryLater)]
    [InlineData(AlertStatus.Acknowledged, true, IncidentStatus.Open, DedupAction.SourceAcknowledged)]
    [InlineData(AlertStatus.Acknowledged, true, IncidentStatus.Acknowledged, DedupAction.SourceAcknowledged)]
    [InlineData(AlertStatus.Acknowledged, true, IncidentStatus.Resolved, DedupAction.DropAcknowledge)]
    public void DecisionFollowsTheTable(AlertStatus status, bool keyPresent, IncidentStatus? incidentStatus, DedupAction expected)
    {
        var key = keyPresent
            ? new AlertKeyEntity { PartitionKey = AlertKeyEntity.PartitionKeyOf("grafana", "disk-db1"), DedupKey = "disk-db1", IncidentId = "INC-20261126-7K3QX9MD" }
            : null;
        var incident = incidentStatus is { } s
            ? new IncidentEntity { PartitionKey = "INC-20261126-7K3QX9MD", Status = s.ToString() }
            : null;

        Assert.Equal(expected, DedupDecision.Decide(status, key, incident));
    }

    [Fact]
    public void EveryCombinationIsCoveredByTheTable()
    {
        var rows = typeof(DedupDecisionTests).GetMethod(nameof(DecisionFollowsTheTable))!
            .GetCustomAttributes(typeof(InlineDataAttribute), false)
            .Cast<InlineDataAttribute>()
            .Select(a => a.GetData(null!).Single())
            .Select(d => (Status: (AlertStatus)d[0], Key: (bool)d[1], Incident: (IncidentStatus?)d[2]))
            .ToHashSet();

        var expected = Enum.GetValues<AlertStatus>().Length * 2 * (Enum.GetValues<IncidentStatus>().Length + 1);
        Assert.Equal(expected, rows.Count);
    }

    /// <summary>
    /// The key of a merged duplicate leads to the incident it was merged into: firing alerts count there (or open anew
    /// once that one is resolved), an acknowledgement acknowledges it, and a resolve is only noted, because that
    /// incident's own alerts still speak for it.
    /// </summary>
    [Theory]
    [InlineData(AlertStatus.Firing, IncidentStatus.Open, DedupAction.Append)]
    [InlineData(AlertStatus.Firing, IncidentStatus.Resolved, DedupAction.OpenNew)]
    [InlineData(AlertStatus.Acknowledged, IncidentStatus.Open, DedupAction.SourceAcknowledged)]
    [InlineData(AlertStatus.Resolved, IncidentStatus.Open, DedupAction.NoteOnMergedInto)]
    [InlineData(AlertStatus.Resolved, IncidentStatus.Acknowledged, DedupAction.NoteOnMergedInto)]
    [InlineData(AlertStatus.Resolved, IncidentStatus.Resolved, DedupAction.NoteOnResolved)]
    public void TheKeyOfAMergedDuplicateFeedsTheIncidentItWasMergedInto(AlertStatus status, IncidentStatus mergedInto, DedupAction expected)
    {
        var key = new AlertKeyEntity { PartitionKey = AlertKeyEntity.PartitionKeyOf("grafana", "disk-db1"), DedupKey = "disk-db1", IncidentId = "INC-20261126-7K3QX9MD" };
        var target = new IncidentEntity { PartitionKey = "INC-20261126-2TARGET2", Status = mergedInto.ToString() };

        Assert.Equal(expected, DedupDecision.Decide(status, key, target, viaMerge: true));
    }
}
