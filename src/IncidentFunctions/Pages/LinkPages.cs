using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using IncidentFunctions.WebConsole;
using IncidentFunctions.Http;
using IncidentFunctions.Incidents;
using IncidentFunctions.Lifecycle;
using IncidentFunctions.Links;
using IncidentFunctions.Model;
using Microsoft.AspNetCore.Http;

namespace IncidentFunctions.Pages;

/// <summary>
/// The pages a responder link opens: refusals, the confirmation a GET shows (it changes nothing), and the outcome of a
/// POST. Pure rendering: every value from the incident, the route or the token is HTML-encoded here. They share the
/// console's stylesheet (one look), and load no script.
/// </summary>
public static class LinkPages
{
    // Encodes markup characters but leaves letters of any script readable in the page source.
    static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    /// <summary>
    /// What an acknowledge page says instead of offering a resolve button. A link does only what it says: an acknowledge
    /// link whose page handed out a resolve would let whoever holds it (a scanner that submits forms, a forwarded
    /// email) resolve the incident too.
    /// </summary>
    static readonly string ResolveElsewhere = Paragraph("To resolve it, use the Resolve link in the email.");

    public static HtmlPage Refused(LinkVerification link)
    {
        var instead = link.IncidentUrl is { } incident ? OpenIncident(incident) : string.Empty;
        return link.Status switch
        {
            LinkStatus.Expired => Page(StatusCodes.Status410Gone, "This link has expired",
                Paragraph($"This {link.Action} link for {link.RecipientId} expired at {When(link.ExpiresAt!.Value)}. Nothing was changed."),
                Paragraph("Links in emails work for a limited time. Open the incident instead."),
                instead),
            LinkStatus.UnknownAction => Page(StatusCodes.Status400BadRequest, "Unknown action",
                Paragraph($"'{link.Action}' is not something an email link can do: links acknowledge or resolve an incident. Nothing was changed."),
                instead),
            LinkStatus.Malformed => Page(StatusCodes.Status400BadRequest, "This link is incomplete",
                Paragraph("Its token is missing or damaged. Nothing was changed."),
                Paragraph("Some mail programs cut long links or break them across lines: open the link from the email again, or copy all of it."),
                instead),
            LinkStatus.BadSignature => Page(StatusCodes.Status400BadRequest, "This link is not valid",
                Paragraph($"It was changed, or it was made for an incident other than {link.IncidentId} or an action other than {link.Action}, " +
                    "or it was signed with a key that has since been retired. Nothing was changed."),
                Paragraph("Use the link from the email exactly as it came."),
                instead),
            _ => throw new ArgumentException($"A {link.Status} link is not refused.", nameof(link)),
        };
    }

    public static HtmlPage NotFound(string incidentId) =>
        Page(StatusCodes.Status404NotFound, "Incident not found", Paragraph($"There is no incident {incidentId}. Nothing was changed."));

    /// <summary>What GET and HEAD show: the incident, who is acting, and a button that posts the action.</summary>
    public static HtmlPage Confirm(LinkGrant grant, IncidentEntity incident)
    {
        var id = incident.Id;
        var ack = Earlier("acknowledged", incident.AcknowledgedBy, incident.AcknowledgedVia, incident.AcknowledgedAt);
        return (grant.Action, incident.StatusValue) switch
        {
            (_, IncidentStatus.Resolved) => Ok(grant, "Already resolved", incident,
                Paragraph(Earlier("Already resolved", incident.ResolvedBy, incident.ResolvedVia, incident.ResolvedAt))),
            (LinkAction.Acknowledge, IncidentStatus.Acknowledged) => Ok(grant, "Already acknowledged", incident,
                Paragraph($"Already {ack}"),
                ResolveElsewhere),
            (LinkAction.Acknowledge, _) => Ok(grant, $"Acknowledge {id}?", incident,
                Paragraph("Nothing has changed yet: press the button to acknowledge."),
                Button(grant.Url, $"Acknowledge {id}")),
            _ => Ok(grant, $"Resolve {id}?", incident,
                Paragraph(incident.StatusValue == IncidentStatus.Acknowledged
                    ? $"It was {ack} Nothing has changed yet: press the button to resolve."
                    : "Nothing has changed yet: press the button to resolve."),
                Button(grant.Url, $"Resolve {id}")),
        };
    }

    /// <summary>What a POST shows: what this request did, or who acted first.</summary>
    public static HtmlPage Outcome(LinkGrant grant, TransitionResult result)
    {
        if (result.Incident is not { } incident)
        {
            return NotFound(grant.IncidentId);
        }

        return (result.Outcome, grant.Action) switch
        {
            (TransitionOutcome.Applied, LinkAction.Acknowledge) => Ok(grant, "Acknowledged", incident,
                Paragraph(Earlier("Acknowledged", result.ActedBy, null, result.ActedAt)),
                ResolveElsewhere),
            (TransitionOutcome.Applied, _) => Ok(grant, "Resolved", incident,
                Paragraph(Earlier("Resolved", result.ActedBy, null, result.ActedAt))),
            (TransitionOutcome.AlreadyDone, LinkAction.Acknowledge) => Ok(grant, "Already acknowledged", incident,
                Paragraph(Earlier("Already acknowledged", result.ActedBy, result.ActedVia, result.ActedAt)),
                ResolveElsewhere),
            _ => Ok(grant, "Already resolved", incident,
                Paragraph(Earlier("Already resolved", result.ActedBy, result.ActedVia, result.ActedAt))),
        };
    }

    /// <summary>"Acknowledged by alice at 2026-11-26 03:14 UTC (via email-link)." from whatever is known.</summary>
    static string Earlier(string what, string? by, string? via, DateTimeOffset? at) =>
        $"{what} by {by ?? "someone"}{(at is { } time ? $" at {When(time)}" : string.Empty)}{(via is null ? string.Empty : $" (via {via})")}.";

    // UTC, because the page knows the recipient's id but not their time zone, and an hour's ambiguity at 3 a.m. misleads.
    static string When(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    static HtmlPage Ok(LinkGrant grant, string heading, IncidentEntity incident, params string[] sections) =>
        Page(StatusCodes.Status200OK, heading,
        [
            Facts(incident),
            .. sections,
            Paragraph($"You are acting as {grant.RecipientId}. This link works until {When(grant.ExpiresAt)}.", "note"),
        ]);

    static string Facts(IncidentEntity incident)
    {
        var html = new StringBuilder("<dl>");
        foreach (var (name, value) in (ReadOnlySpan<(string, string)>)
        [
            ("Incident", incident.Id),
            ("Title", incident.Title),
            ("Priority", incident.Priority ?? "not yet triaged"),
            ("Severity", incident.Severity),
            ("Status", incident.Status),
            ("Service", incident.ServiceName ?? "not yet routed"),
            ("Alerts", incident.AlertCount.ToString(CultureInfo.InvariantCulture)),
        ])
        {
            html.Append("<dt>").Append(Encoder.Encode(name)).Append("</dt><dd>").Append(Encoder.Encode(value)).Append("</dd>");
        }

        return html.Append("</dl>").ToString();
    }

    static string Paragraph(string text, string? cssClass = null) =>
        cssClass is null ? $"<p>{Encoder.Encode(text)}</p>" : $"<p class=\"{cssClass}\">{Encoder.Encode(text)}</p>";

    /// <summary>A form with a single button: the only way anything on these pages changes an incident.</summary>
    static string Button(Uri action, string label) =>
        $"<form method=\"post\" action=\"{Encoder.Encode(action.AbsoluteUri)}\"><button type=\"submit\">{Encoder.Encode(label)}</button></form>";

    static string OpenIncident(Uri incident) =>
        $"<p><a href=\"{Encoder.Encode(incident.AbsoluteUri)}\">Open the incident</a></p>";

    static HtmlPage Page(int status, string heading, params string[] sections)
    {
        var title = Encoder.Encode(heading);
        var html = new StringBuilder()
            .Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><meta name=\"robots\" content=\"noindex\">")
            .Append("<title>").Append(title).Append("</title>")
            .Append("<link rel=\"stylesheet\" href=\"").Append(ConsoleAssets.Embedded.Url(ConsoleAssets.Stylesheet)).Append("\">")
            .Append("</head><body class=\"link-page\"><main>")
            .Append("<h1>").Append(title).Append("</h1>");
        foreach (var section in sections)
        {
            html.Append(section);
        }

        return new HtmlPage(status, html.Append("</main></body></html>").ToString());
    }
}
