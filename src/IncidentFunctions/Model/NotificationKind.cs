namespace IncidentFunctions.Model;

public enum NotificationKind
{
    /// <summary>An escalation level pages its targets.</summary>
    Page,

    /// <summary>The acknowledgement went stale (ack timeout) and the incident pages again.</summary>
    Retriggered,

    /// <summary>Every level was tried, repeats included; the whole owning team is told once.</summary>
    Exhausted,

    /// <summary>The incident resolved; everyone who was paged is told.</summary>
    Resolved,
}
