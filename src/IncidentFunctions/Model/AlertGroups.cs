using System.Security.Cryptography;
using System.Text;

namespace IncidentFunctions.Model;

/// <summary>
/// Grouping: an integration configured with GroupBy labels (say alertname and cluster) joins every alert that has the
/// same values for all of them into one incident, so that one outage firing fifty alerts opens one incident. The
/// alerts keep their own dedup keys, which the incident tracks as its firing members: the source resolves the incident
/// only when the last of them resolves. An alert that lacks any of the labels is not grouped (it keeps an incident of
/// its own), so that problems that do not say which group they belong to are never merged by accident.
/// </summary>
public static class AlertGroups
{
    public const string Prefix = "group:";
    public const int MaxLabels = 10;

    /// <summary>Incident members tracked per grouped incident; beyond that, further alerts count but are not tracked.</summary>
    public const int MaxMembers = 1000;

    /// <summary>The alert with its group key set, or unchanged when the integration does not group or a label is missing.</summary>
    public static Alert Apply(Alert alert, IReadOnlyList<string> groupBy)
    {
        if (groupBy.Count == 0)
        {
            return alert;
        }

        var canonical = new StringBuilder();
        foreach (var name in groupBy.Order(StringComparer.Ordinal))
        {
            if (!alert.Labels.TryGetValue(name, out var value) || string.IsNullOrEmpty(value))
            {
                return alert;
            }

            // Length-prefixed, so values cannot collide by moving text between labels.
            canonical.Append(name.Length).Append(':').Append(name).Append('=').Append(value.Length).Append(':').Append(value).Append(';');
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString()));
        return alert with { GroupKey = Prefix + Convert.ToHexStringLower(hash.AsSpan(0, 16)) };
    }

    /// <summary>How an incident names one member alert: a short hash of its dedup key.</summary>
    public static string MemberOf(string dedupKey) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(dedupKey)).AsSpan(0, 8));
}
