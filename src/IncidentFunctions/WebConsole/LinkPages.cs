using System.Globalization;
using IncidentFunctions.Http;
using IncidentFunctions.Incidents;
using IncidentFunctions.Lifecycle;
using IncidentFunctions.Links;
using IncidentFunctions.Model;
using Microsoft.AspNetCore.Http;

namespace IncidentFunctions.WebConsole;

/// <summary>The one button of a confirmation page: it posts the link's own action to the link itself.</summary>
public sealed record LinkButton(Uri Action, string Label);

/// <summary>
/// The pages a responder link opens: refusals, the confirmation a GET shows (it changes nothing), and the outcome of a
/// POST. This decides what each page says; <see cref="LinkPage"/> renders it in the console's look, without a script
/// (<see cref="PagePolicy.Link"/>), and Razor encodes every value from the incident, the route or the token.
/// </summary>
public sealed class LinkPages(PageRenderer pages)
{
    /// <summary>
    /// What an acknowledge page says instead of offering a resolve button. A link does only what it says: an acknowledge
    /// link whose page handed out a resolve would let whoever holds it (a scanner that submits forms, a forwarded
    /// email) resolve the incident too.
    /// </summary>
    const string ResolveElsewhere = "To resolve it, use the Resolve link in the email.";

    public Task<HtmlPage> RefusedAsync(LinkVerification link) => link.Status switch
    {
        LinkStatus.Expired => NoticeAsync(StatusCodes.Status410Gone, "This link has expired", link.IncidentUrl,
            $"This {link.Action} link for {link.RecipientId} expired at {When(link.ExpiresAt!.Value)}. Nothing was changed.",
            "Links in emails work for a limited time. Open the incident instead."),
        LinkStatus.UnknownAction => NoticeAsync(StatusCodes.Status400BadRequest, "Unknown action", link.IncidentUrl,
            $"'{link.Action}' is not something an email link can do: links acknowledge or resolve an incident. Nothing was changed."),
        LinkStatus.Malformed => NoticeAsync(StatusCodes.Status400BadRequest, "This link is incomplete", link.IncidentUrl,
            "Its token is missing or damaged. Nothing was changed.",
            "Some mail programs cut long links or break them across lines: open the link from the email again, or copy all of it."),
        LinkStatus.BadSignature => NoticeAsync(StatusCodes.Status400BadRequest, "This link is not valid", link.IncidentUrl,
            $"It was changed, or it was made for an incident other than {link.IncidentId} or an action other than {link.Action}, " +
                "or it was signed with a key that has since been retired. Nothing was changed.",
            "Use the link from the email exactly as it came."),
        _ => throw new ArgumentException($"A {link.Status} link is not refused.", nameof(link)),
    };

    public Task<HtmlPage> NotFoundAsync(string incidentId) =>
        NoticeAsync(StatusCodes.Status404NotFound, "Incident not found", null, $"There is no incident {incidentId}. Nothing was changed.");

    /// <summary>What GET and HEAD show: the incident, who is acting, and a button that posts the action.</summary>
    public Task<HtmlPage> ConfirmAsync(LinkGrant grant, IncidentEntity incident)
    {
        var id = incident.Id;
        var ack = Earlier("acknowledged", incident.AcknowledgedBy, incident.AcknowledgedVia, incident.AcknowledgedAt);
        return (grant.Action, incident.StatusValue) switch
        {
            (_, IncidentStatus.Resolved) => OkAsync(grant, "Already resolved", incident, null,
                Earlier("Already resolved", incident.ResolvedBy, incident.ResolvedVia, incident.ResolvedAt)),
            (LinkAction.Acknowledge, IncidentStatus.Acknowledged) => OkAsync(grant, "Already acknowledged", incident, null,
                $"Already {ack}", ResolveElsewhere),
            (LinkAction.Acknowledge, _) => OkAsync(grant, $"Acknowledge {id}?", incident, new LinkButton(grant.Url, $"Acknowledge {id}"),
                "Nothing has changed yet: press the button to acknowledge."),
            _ => OkAsync(grant, $"Resolve {id}?", incident, new LinkButton(grant.Url, $"Resolve {id}"),
                incident.StatusValue == IncidentStatus.Acknowledged
                    ? $"It was {ack} Nothing has changed yet: press the button to resolve."
                    : "Nothing has changed yet: press the button to resolve."),
        };
    }

    /// <summary>What a POST shows: what this request did, or who acted first.</summary>
    public Task<HtmlPage> OutcomeAsync(LinkGrant grant, TransitionResult result)
    {
        if (result.Incident is not { } incident)
        {
            return NotFoundAsync(grant.IncidentId);
        }

        return (result.Outcome, grant.Action) switch
        {
            (TransitionOutcome.Applied, LinkAction.Acknowledge) => OkAsync(grant, "Acknowledged", incident, null,
                Earlier("Acknowledged", result.ActedBy, null, result.ActedAt), ResolveElsewhere),
            (TransitionOutcome.Applied, _) => OkAsync(grant, "Resolved", incident, null,
                Earlier("Resolved", result.ActedBy, null, result.ActedAt)),
            (TransitionOutcome.AlreadyDone, LinkAction.Acknowledge) => OkAsync(grant, "Already acknowledged", incident, null,
                Earlier("Already acknowledged", result.ActedBy, result.ActedVia, result.ActedAt), ResolveElsewhere),
            _ => OkAsync(grant, "Already resolved", incident, null,
                Earlier("Already resolved", result.ActedBy, result.ActedVia, result.ActedAt)),
        };
    }

    /// <summary>"Acknowledged by alice at 2026-11-26 03:14 UTC (via email-link)." from whatever is known.</summary>
    static string Earlier(string what, string? by, string? via, DateTimeOffset? at) =>
        $"{what} by {by ?? "someone"}{(at is { } time ? $" at {When(time)}" : string.Empty)}{(via is null ? string.Empty : $" (via {via})")}.";

    // UTC, because the page knows the recipient's id but not their time zone, and an hour's ambiguity at 3 a.m. misleads.
    static string When(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    Task<HtmlPage> OkAsync(LinkGrant grant, string title, IncidentEntity incident, LinkButton? button, params string[] paragraphs) =>
        RenderAsync(StatusCodes.Status200OK, new()
        {
            [nameof(LinkPage.Title)] = title,
            [nameof(LinkPage.Incident)] = incident,
            [nameof(LinkPage.Paragraphs)] = paragraphs,
            [nameof(LinkPage.Button)] = button,
            [nameof(LinkPage.Note)] = $"You are acting as {grant.RecipientId}. This link works until {When(grant.ExpiresAt)}.",
        });

    Task<HtmlPage> NoticeAsync(int status, string title, Uri? incidentUrl, params string[] paragraphs) =>
        RenderAsync(status, new()
        {
            [nameof(LinkPage.Title)] = title,
            [nameof(LinkPage.Paragraphs)] = paragraphs,
            [nameof(LinkPage.IncidentUrl)] = incidentUrl,
        });

    Task<HtmlPage> RenderAsync(int status, Dictionary<string, object?> parameters) =>
        pages.PageAsync<LinkPage>(status, parameters, PagePolicy.Link);
}
