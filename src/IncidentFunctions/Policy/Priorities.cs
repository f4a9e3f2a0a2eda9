using IncidentFunctions.Model;

namespace IncidentFunctions.Policy;

/// <summary>How urgent an incident is, from what the alert says and how much the service matters.</summary>
public static class Priorities
{
    /// <summary>
    /// <c>P(min(4, 1 + rank + (tier - 1)))</c>, with rank Critical 0, High 1, Warning 2, Info 3: each step down in
    /// severity or in impact tier (1 customer-facing critical, 2, 3 internal) is one step less urgent.
    /// <code>
    ///            tier 1  tier 2  tier 3
    /// critical   P1      P2      P3
    /// high       P2      P3      P4
    /// warning    P3      P4      P4
    /// info       P4      P4      P4
    /// </code>
    /// </summary>
    public static Priority Of(Severity severity, int impactTier)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(impactTier, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(impactTier, 3);
        // Ranked explicitly rather than by the enum's numeric values, so reordering Severity cannot change priorities.
        var rank = severity switch
        {
            Severity.Critical => 0,
            Severity.High => 1,
            Severity.Warning => 2,
            Severity.Info => 3,
            _ => throw new ArgumentOutOfRangeException(nameof(severity), severity, "Unknown severity."),
        };
        return (Priority)Math.Min(4, 1 + rank + (impactTier - 1));
    }
}
