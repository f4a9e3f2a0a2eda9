using IncidentFunctions.Model;

namespace IncidentFunctions.Paging;

/// <summary>
/// Email these recipients about the incident. <see cref="NotificationId"/> comes from the orchestration (or is
/// <see cref="IncidentPager.FirstPageId"/>), so a retried activity recognises the recipients it already emailed (their
/// notification.sent events) and skips them. <see cref="At"/> is the earliest time the notification may carry.
/// <see cref="Preceding"/>, when set, is recorded on the timeline before anyone is emailed (an escalation, say): in the
/// same activity, because each activity is a queue round trip between a level's due time and its page.
/// <see cref="DueAt"/> is when a page was due (see <see cref="Lateness"/>); null for what is not a page.
/// </summary>
public sealed record NotifyRequest(
    string IncidentId,
    string NotificationId,
    NotificationKind Kind,
    int? Level,
    IReadOnlyList<Recipient> Recipients,
    DateTimeOffset At,
    TimelineEvent? Preceding = null,
    DateTimeOffset? DueAt = null,
    NotificationMessage? Message = null);

/// <summary>An incident's first page as the opener plans it: the request, and the claim it is sent under.</summary>
public sealed record FirstPage(NotifyRequest Request, Incidents.NotificationClaimEntity Claim);
