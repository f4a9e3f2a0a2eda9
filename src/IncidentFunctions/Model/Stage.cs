namespace IncidentFunctions.Model;

/// <summary>
/// Where the response to an incident stands, next to its paging status (which says only whether someone has been
/// reached). The first seven run in order; <see cref="Declined"/> (not an incident) and <see cref="Merged"/> (a duplicate
/// of another) are side exits. Coordination's stage machine decides which changes are allowed.
/// </summary>
public enum Stage
{
    Triage,
    Investigating,
    Identified,
    Mitigated,
    Resolved,
    Review,
    Closed,
    Declined,
    Merged,
}
