using IncidentFunctions.Model;
using IncidentFunctions.Policy;

namespace IncidentFunctions.Coordination;

/// <summary>Severity changes and the time an incident spent at each severity.</summary>
public static class SeverityChanges
{
    /// <summary>
    /// A change needs a reason. The priority follows from the new severity and the service's impact tier, as at triage
    /// (<see cref="Priorities.Of"/>). Asking for the current severity changes nothing and is not refused.
    /// </summary>
    public static Decision<SeverityChange> Change(Severity current, int impactTier, Severity to, string? reason, string by, DateTimeOffset at)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            return new Refusal("reason", "a severity change needs a reason");
        }

        return new SeverityChange(at, current, to, Priorities.Of(to, impactTier), reason.Trim(), by);
    }

    /// <summary>
    /// How long the incident was at each severity from <paramref name="openedAt"/> up to <paramref name="until"/> (its
    /// resolution, or now): <paramref name="initial"/> until the first change, then each change's severity until the
    /// next. Changes after <paramref name="until"/> do not count yet; severities it never had are left out.
    /// </summary>
    public static IReadOnlyDictionary<Severity, TimeSpan> TimeAtSeverity(
        Severity initial, DateTimeOffset openedAt, IReadOnlyList<SeverityChange> changes, DateTimeOffset until)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var time = new Dictionary<Severity, TimeSpan>();
        var severity = initial;
        var since = openedAt;
        foreach (var change in changes.Where(c => c.Changed).OrderBy(c => c.At))
        {
            if (change.At > until)
            {
                break;
            }

            if (change.At > since)
            {
                time[severity] = time.GetValueOrDefault(severity) + (change.At - since);
                since = change.At;
            }

            severity = change.To;
        }

        if (until > since)
        {
            time[severity] = time.GetValueOrDefault(severity) + (until - since);
        }

        return time;
    }
}
