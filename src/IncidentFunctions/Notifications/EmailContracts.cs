using IncidentFunctions.Model;

namespace IncidentFunctions.Notifications;

public sealed record EmailAddress(string Address, string? DisplayName = null);

/// <summary>
/// One email to one recipient. <see cref="IdempotencyKey"/> is a GUID chosen by the caller and stable across retries:
/// ACS receives it as Operation-Id, SMTP as the Message-ID, so a retried send is recognisable as the same message.
/// </summary>
public sealed record EmailMessage(
    EmailAddress To,
    string Subject,
    string PlainText,
    string Html,
    Guid IdempotencyKey,
    IReadOnlyDictionary<string, string> Headers);

/// <summary>The one way the app sends email; the transport (SMTP or Azure Communication Services) is configuration.</summary>
public interface IEmailSender
{
    /// <summary>Sends, retrying transient failures within reason; throws when the message could not be handed over.</summary>
    Task SendAsync(EmailMessage message, CancellationToken ct);

    /// <summary>Writes the message as it would be sent, to nowhere: what a first send would do before it goes out.</summary>
    Task RehearseAsync(EmailMessage message, CancellationToken ct);
}

/// <summary>The links an email carries for its recipient; acknowledge and resolve are absent once resolved.</summary>
public sealed record EmailLinks(Uri Incident, Uri? Acknowledge, Uri? Resolve);

/// <summary>Everything needed to render one notification email for one recipient.</summary>
public sealed record NotificationEmail(
    NotificationKind Kind,
    int? Level,
    IncidentSnapshot Incident,
    Recipient Recipient,
    EmailLinks Links,
    Guid IdempotencyKey,
    NotificationMessage? Message = null);

/// <summary>Headers every notification carries, so that mail rules, tests and the benchmark can find them.</summary>
public static class NotificationHeaders
{
    public const string IncidentId = "X-Incident-Id";
    public const string Kind = "X-Incident-Notification";
    public const string Level = "X-Incident-Escalation-Level";
    public const string Priority = "X-Incident-Priority";
}
