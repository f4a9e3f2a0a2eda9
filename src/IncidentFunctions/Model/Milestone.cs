namespace IncidentFunctions.Model;

/// <summary>
/// The moments an incident's record is measured by, in the order they must keep: impact started &lt;= detected &lt;=
/// acknowledged &lt;= mitigated &lt;= resolved &lt;= closed (where set).
/// </summary>
public enum Milestone
{
    ImpactStarted,
    Detected,
    Acknowledged,
    Mitigated,
    Resolved,
    Closed,
}
