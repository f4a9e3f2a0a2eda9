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

    /// <summary>A person was given a role on the incident; the email carries the role's instructions.</summary>
    RoleAssigned,

    /// <summary>A status update, to the participants (internal) or the stakeholders.</summary>
    StatusUpdate,

    /// <summary>A coordination reminder: a required role unfilled, a task or an update overdue.</summary>
    Reminder,
}

/// <summary>
/// What a notification that is not a page says: a headline written by the app, and a body written by a person (a
/// status update, a role's instructions), shown as text and escaped like everything else in the email.
/// </summary>
public sealed record NotificationMessage(string Headline, string? Body = null, string? BodyTitle = null)
{
    /// <summary>The kinds that carry acknowledge and resolve links: the ones that page.</summary>
    public static bool IsPaging(NotificationKind kind) => kind is NotificationKind.Page or NotificationKind.Retriggered or NotificationKind.Exhausted;
}
