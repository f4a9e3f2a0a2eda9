using IncidentFunctions.Coordination;
using IncidentFunctions.Incidents;
using IncidentFunctions.Model;

namespace IncidentFunctions.Responding;

/// <summary>One incident as the API answers it when it is read or changed: with what follows from its record.</summary>
public static class IncidentViews
{
    /// <summary>The incident with the time it spent at each severity, up to its resolution or <paramref name="now"/>.</summary>
    public static Incident Of(IncidentEntity row, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(row);
        var incident = row.ToIncident();
        var changes = incident.Response.SeverityChanges;
        var initial = changes.FirstOrDefault(c => c.Changed)?.From ?? incident.Severity;
        var time = SeverityChanges.TimeAtSeverity(initial, row.OpenedAt, changes, row.ResolvedAt ?? now);
        return incident with { SecondsAtSeverity = time.ToDictionary(p => p.Key, p => Math.Round(p.Value.TotalSeconds, 3)) };
    }
}
