using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using IncidentFunctions.Model;

namespace IncidentFunctions.Notifications;

/// <summary>
/// Renders notification emails (subject, plain text, HTML) for one recipient. Both bodies come from one list of facts,
/// so they always say the same thing. Everything an alert sender wrote is HTML-encoded: a title is untrusted input.
/// </summary>
public static partial class IncidentEmails
{
    const int MaxTitleLength = 150;
    const int MaxDescriptionLength = 4000;
    const string ConfirmationNote = "Each of these links opens a confirmation page: nothing changes until you confirm there.";

    public static EmailMessage Render(NotificationEmail notification)
    {
        var content = Content.For(notification);
        var headers = new Dictionary<string, string>
        {
            [NotificationHeaders.IncidentId] = notification.Incident.Id,
            [NotificationHeaders.Kind] = notification.Kind.ToString().ToLowerInvariant(),
            [NotificationHeaders.Priority] = notification.Incident.Priority.ToString(),
        };
        if (notification.Level is { } level)
        {
            headers[NotificationHeaders.Level] = level.ToString(CultureInfo.InvariantCulture);
        }

        return new EmailMessage(
            new EmailAddress(notification.Recipient.Email, notification.Recipient.Name),
            content.Subject,
            PlainText(content),
            Html(content),
            notification.IdempotencyKey,
            headers);
    }

    sealed record Fact(string Label, string Value);

    sealed record Button(string Label, Uri Href, string Color);

    /// <summary>What an email says, before it is written as plain text or HTML.</summary>
    sealed record Content(
        string Subject,
        string Tag,
        string Title,
        string Headline,
        string AccentColor,
        IReadOnlyList<Button> Buttons,
        IReadOnlyList<Fact> Facts,
        string? Description,
        string DescriptionTitle,
        IReadOnlyList<AlertLink> AlertLinks,
        Uri IncidentLink,
        string TimeNote)
    {
        public static Content For(NotificationEmail n)
        {
            var incident = n.Incident;
            var knownZone = KnownZone(n.Recipient.TimeZone);
            var zone = knownZone ?? TimeZoneInfo.Utc;
            var title = TextLimits.Shorten(OneLine(incident.Title), MaxTitleLength);
            var acknowledged = n.Kind != NotificationKind.Resolved && incident.Status == IncidentStatus.Acknowledged;
            var tag = n.Kind switch
            {
                NotificationKind.Resolved => "Resolved",
                NotificationKind.RoleAssigned => "Role assigned",
                NotificationKind.StatusUpdate => "Status update",
                NotificationKind.Reminder => "Reminder",
                _ when acknowledged => "Acknowledged",
                NotificationKind.Retriggered => "Re-triggered",
                NotificationKind.Exhausted => "Escalation exhausted",
                _ => null,
            };

            var facts = new List<Fact>
            {
                new("Service", OneLine(incident.ServiceName)),
                new("Priority", incident.Priority.ToString()),
                new("Severity", incident.Severity.ToString()),
                new("Status", incident.Status.ToString()),
                new("Alerts", incident.AlertCount.ToString(CultureInfo.InvariantCulture)),
                new("First alert", Time(incident.FirstAlertAt, zone)),
                new("Last alert", Time(incident.LastAlertAt, zone)),
            };
            if (!string.IsNullOrWhiteSpace(incident.Source))
            {
                facts.Add(new("Source", OneLine(incident.Source)));
            }

            if (Actor(incident.AcknowledgedBy, incident.AcknowledgedAt, zone) is { } acknowledgement)
            {
                facts.Add(new("Acknowledged", OneLine(acknowledgement)));
            }

            if (Actor(incident.ResolvedBy, incident.ResolvedAt, zone) is { } resolution)
            {
                facts.Add(new("Resolved", OneLine(resolution)));
            }

            facts.Add(new("Incident", incident.Id));

            var buttons = new List<Button>();
            if (NotificationMessage.IsPaging(n.Kind))
            {
                if (n.Links.Acknowledge is { } acknowledge)
                {
                    buttons.Add(new("Acknowledge", acknowledge, "#b42318"));
                }

                if (n.Links.Resolve is { } resolve)
                {
                    buttons.Add(new("Resolve", resolve, "#1a7f37"));
                }
            }

            return new Content(
                Subject: $"[{incident.Priority}]{(tag is null ? string.Empty : $"[{tag}]")} {title}",
                Tag: tag is null ? incident.Priority.ToString() : $"{incident.Priority} · {tag}",
                Title: title,
                Headline: HeadlineFor(n, zone),
                AccentColor: n.Kind == NotificationKind.Resolved ? "#1a7f37" : acknowledged ? "#9a6700" : PriorityColor(incident.Priority),
                Buttons: buttons,
                Facts: facts,
                Description: n.Message?.Body is { } body && !string.IsNullOrWhiteSpace(body)
                    ? TextLimits.Shorten(body.Replace("\r\n", "\n").Trim(), MaxDescriptionLength)
                    : string.IsNullOrWhiteSpace(incident.Description) ? null : TextLimits.Shorten(incident.Description.Replace("\r\n", "\n").Trim(), MaxDescriptionLength),
                DescriptionTitle: n.Message?.Body is { } b && !string.IsNullOrWhiteSpace(b) ? n.Message.BodyTitle ?? "Message" : "Description",
                AlertLinks: incident.Links,
                IncidentLink: n.Links.Incident,
                TimeNote: knownZone is not null
                    ? $"Times are in your time zone, {knownZone.Id}."
                    : $"Times are in UTC: the time zone \"{OneLine(n.Recipient.TimeZone)}\" of your profile is not known here.");
        }

        static string HeadlineFor(NotificationEmail n, TimeZoneInfo zone)
        {
            var level = n.Level is { } l ? $"Escalation level {l}" : null;
            if (n.Message is { } message)
            {
                return OneLine(message.Headline);
            }

            return n.Kind switch
            {
                NotificationKind.Page => level is null ? "You are paged." : $"{level}: you are paged.",
                NotificationKind.Retriggered => "Re-triggered: the acknowledgement went stale and the incident is not resolved."
                    + (level is null ? string.Empty : $" {level}."),
                NotificationKind.Exhausted => "Escalation exhausted: every level was paged and nobody acknowledged. The whole team is told.",
                _ => Actor(n.Incident.ResolvedBy, n.Incident.ResolvedAt, zone) is { } by ? $"Resolved by {OneLine(by)}." : "The incident is resolved.",
            };
        }
    }

    static string PlainText(Content c)
    {
        var text = new StringBuilder();
        text.Append(c.Headline).Append('\n').Append(c.Title).Append("\n\n");
        if (c.Buttons.Count > 0)
        {
            foreach (var button in c.Buttons)
            {
                text.Append(button.Label).Append(": ").Append(button.Href.AbsoluteUri).Append('\n');
            }

            text.Append(ConfirmationNote).Append("\n\n");
        }

        var width = c.Facts.Max(f => f.Label.Length) + 2;
        foreach (var fact in c.Facts)
        {
            text.Append((fact.Label + ":").PadRight(width)).Append(fact.Value).Append('\n');
        }

        if (c.Description is not null)
        {
            text.Append('\n').Append(c.DescriptionTitle).Append(":\n").Append(c.Description).Append('\n');
        }

        if (c.AlertLinks.Count > 0)
        {
            text.Append("\nLinks from the alert:\n");
            foreach (var link in c.AlertLinks)
            {
                text.Append("- ").Append(string.IsNullOrWhiteSpace(link.Text) ? link.Href : $"{OneLine(link.Text)}: {link.Href}").Append('\n');
            }
        }

        text.Append("\nOpen the incident: ").Append(c.IncidentLink.AbsoluteUri).Append('\n');
        text.Append('\n').Append(c.TimeNote).Append('\n');
        return text.ToString();
    }

    // Email clients ignore <style> blocks and external CSS unevenly, so the layout is tables with inline styles only.
    static string Html(Content c)
    {
        const string Font = "font-family:'Segoe UI',Helvetica,Arial,sans-serif;";
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">")
            .Append("<title>").Append(E(c.Subject)).Append("</title></head>")
            .Append("<body style=\"margin:0;padding:0;background:#f2f4f7;\">")
            .Append("<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"background:#f2f4f7;\"><tr><td align=\"center\" style=\"padding:16px;\">")
            .Append("<table role=\"presentation\" width=\"600\" cellpadding=\"0\" cellspacing=\"0\" style=\"width:100%;max-width:600px;background:#ffffff;border-top:6px solid ")
            .Append(c.AccentColor).Append(';').Append(Font).Append("font-size:14px;line-height:1.5;color:#101828;\">");

        html.Append("<tr><td style=\"padding:20px 24px 8px;\">")
            .Append("<div style=\"font-size:12px;font-weight:bold;letter-spacing:0.05em;text-transform:uppercase;color:").Append(c.AccentColor).Append(";\">")
            .Append(E(c.Tag)).Append("</div>")
            .Append("<h1 style=\"margin:4px 0 8px;font-size:20px;line-height:1.3;\">").Append(E(c.Title)).Append("</h1>")
            .Append("<p style=\"margin:0;\">").Append(E(c.Headline)).Append("</p></td></tr>");

        if (c.Buttons.Count > 0)
        {
            html.Append("<tr><td style=\"padding:12px 24px 4px;\">");
            foreach (var button in c.Buttons)
            {
                html.Append("<a href=\"").Append(E(button.Href.AbsoluteUri))
                    .Append("\" style=\"display:inline-block;margin:0 8px 8px 0;padding:10px 20px;border-radius:4px;background:").Append(button.Color)
                    .Append(";color:#ffffff;font-weight:bold;text-decoration:none;\">").Append(E(button.Label)).Append("</a>");
            }

            html.Append("<p style=\"margin:0;font-size:12px;color:#475467;\">").Append(E(ConfirmationNote)).Append("</p></td></tr>");
        }

        html.Append("<tr><td style=\"padding:12px 24px;\"><table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" style=\"width:100%;border-collapse:collapse;\">");
        foreach (var fact in c.Facts)
        {
            html.Append("<tr><th align=\"left\" valign=\"top\" style=\"padding:4px 12px 4px 0;width:120px;font-weight:normal;color:#475467;\">")
                .Append(E(fact.Label)).Append("</th><td style=\"padding:4px 0;\">").Append(E(fact.Value)).Append("</td></tr>");
        }

        html.Append("</table></td></tr>");

        if (c.Description is not null)
        {
            html.Append("<tr><td style=\"padding:4px 24px 12px;\"><div style=\"font-weight:bold;\">").Append(E(c.DescriptionTitle)).Append("</div>")
                .Append("<div style=\"padding:8px 12px;background:#f9fafb;border-left:3px solid #d0d5dd;\">")
                .Append(E(c.Description).Replace("\n", "<br>")).Append("</div></td></tr>");
        }

        if (c.AlertLinks.Count > 0)
        {
            html.Append("<tr><td style=\"padding:4px 24px 12px;\"><div style=\"font-weight:bold;\">Links from the alert</div><ul style=\"margin:4px 0;padding-left:20px;\">");
            foreach (var link in c.AlertLinks)
            {
                var label = string.IsNullOrWhiteSpace(link.Text) ? link.Href : OneLine(link.Text);

                // Ingestion accepts only http(s) links; checking again keeps a javascript: URL out of an href regardless.
                html.Append("<li>").Append(AlertLink.IsWebUrl(link.Href)
                    ? $"<a href=\"{E(link.Href)}\" style=\"color:#175cd3;\">{E(label)}</a>"
                    : E($"{label} ({link.Href})")).Append("</li>");
            }

            html.Append("</ul></td></tr>");
        }

        html.Append("<tr><td style=\"padding:4px 24px 20px;\"><a href=\"").Append(E(c.IncidentLink.AbsoluteUri))
            .Append("\" style=\"color:#175cd3;font-weight:bold;\">Open the incident</a></td></tr>")
            .Append("<tr><td style=\"padding:12px 24px;border-top:1px solid #eaecf0;font-size:12px;color:#667085;\">")
            .Append(E(c.TimeNote)).Append(" Sent by IncidentFunctions.</td></tr>")
            .Append("</table></td></tr></table></body></html>");
        return html.ToString();
    }

    static string E(string text) => WebUtility.HtmlEncode(text);

    /// <summary>IANA or Windows ids both work: .NET converts between them.</summary>
    static TimeZoneInfo? KnownZone(string id) =>
        !string.IsNullOrWhiteSpace(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : null;

    /// <summary>"Thu 2026-11-26 21:33:02 UTC+01:00": the offset makes the time unambiguous whatever the zone's name.</summary>
    static string Time(DateTimeOffset at, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone);
        var when = local.ToString("ddd yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        if (zone == TimeZoneInfo.Utc)
        {
            return $"{when} UTC";
        }

        var sign = local.Offset < TimeSpan.Zero ? "-" : "+";
        return $"{when} UTC{sign}{local.Offset:hh\\:mm}";
    }

    static string? Actor(string? by, DateTimeOffset? at, TimeZoneInfo zone) => (by, at) switch
    {
        (null, null) => null,
        (_, null) => by,
        (null, { } time) => Time(time, zone),
        ({ } who, { } time) => $"{who}, {Time(time, zone)}",
    };

    /// <summary>Subjects and table cells hold one line: a newline from an alert sender must not reach a header.</summary>
    static string OneLine(string text) => LineBreaksAndControls().Replace(text, " ").Trim();

    static string PriorityColor(Priority priority) => priority switch
    {
        Priority.P1 => "#b42318",
        Priority.P2 => "#c4320a",
        Priority.P3 => "#b54708",
        _ => "#475467",
    };

    [GeneratedRegex(@"[\s\p{Cc}]+")]
    private static partial Regex LineBreaksAndControls();
}
