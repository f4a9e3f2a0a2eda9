using IncidentFunctions.ApiDescription;
using IncidentFunctions.Http;
using IncidentFunctions.Incidents;
using IncidentFunctions.Lifecycle;
using IncidentFunctions.Links;
using IncidentFunctions.Model;
using IncidentFunctions.WebConsole;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Functions;

/// <summary>
/// The acknowledge/resolve links in emails. Anonymous at the platform: the signed token is the credential. Mail scanners
/// fetch every link, so GET and HEAD only show a confirmation page; the responder's POST acts.
/// </summary>
public sealed partial class ResponderLinkFunctions(
    LinkSigner signer, LinkPages pages, IncidentStore incidents, IncidentResponder responder, IncidentLifecycles lifecycles, ILogger<ResponderLinkFunctions> logger)
{
    [Function(nameof(ShowResponderLink))]
    [ApiOperation("The confirmation page of an emailed link; changes nothing", ApiSecurity.LinkToken, ResponseMediaType = HtmlPage.ContentType,
        ResponseDescription = "A page naming the incident, with a button that posts the action.")]
    [ApiResponse(400, "A page: the link is incomplete, altered, or names an unknown action.", MediaType = HtmlPage.ContentType)]
    [ApiResponse(404, "A page: the incident does not exist.", MediaType = HtmlPage.ContentType)]
    [ApiResponse(410, "A page: the link has expired.", MediaType = HtmlPage.ContentType)]
    public async Task<IActionResult> ShowResponderLink(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = Routes.ResponderLink)] HttpRequest request,
        string id,
        string action,
        CancellationToken cancellationToken)
    {
        var link = Verify(request, id, action);
        if (link.Grant is not { } grant)
        {
            return await pages.RefusedAsync(link);
        }

        var incident = await incidents.FindAsync(grant.IncidentId, cancellationToken);
        return incident is null ? await pages.NotFoundAsync(grant.IncidentId) : await pages.ConfirmAsync(grant, incident);
    }

    [Function(nameof(SubmitResponderLink))]
    [ApiOperation("Act on an emailed link: acknowledge or resolve as its recipient", ApiSecurity.LinkToken, ResponseMediaType = HtmlPage.ContentType,
        ResponseDescription = "A page saying what was done, or who acted first.")]
    [ApiResponse(400, "A page: the link is incomplete, altered, or names an unknown action.", MediaType = HtmlPage.ContentType)]
    [ApiResponse(404, "A page: the incident does not exist.", MediaType = HtmlPage.ContentType)]
    [ApiResponse(410, "A page: the link has expired.", MediaType = HtmlPage.ContentType)]
    public Task<IActionResult> SubmitResponderLink(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ResponderLink)] HttpRequest request,
        string id,
        string action,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken) =>
        SubmitAsync(request, id, action, lifecycles.For(durableClient), cancellationToken);

    internal async Task<IActionResult> SubmitAsync(HttpRequest request, string id, string action, IIncidentLifecycle lifecycle, CancellationToken ct)
    {
        var link = Verify(request, id, action);
        if (link.Grant is not { } grant)
        {
            return await pages.RefusedAsync(link);
        }

        var result = grant.Action == LinkAction.Acknowledge
            ? await responder.AcknowledgeAsync(grant.IncidentId, grant.RecipientId, Channels.EmailLink, lifecycle, ct, person: grant.RecipientId)
            : await responder.ResolveAsync(grant.IncidentId, grant.RecipientId, Channels.EmailLink, lifecycle, ct, participant: grant.RecipientId);
        return await pages.OutcomeAsync(grant, result);
    }

    LinkVerification Verify(HttpRequest request, string id, string action)
    {
        var link = signer.Verify(id, action, request.Query[LinkSigner.TokenParameter].ToString());
        if (link.Status != LinkStatus.Valid)
        {
            LogRefused(logger, link.Status, request.Method, id, action);
        }

        return link;
    }

    // Never the token: it is a credential until it expires.
    [LoggerMessage(Level = LogLevel.Information, Message = "Responder link refused ({Status}): {Method} {IncidentId} {Action}")]
    static partial void LogRefused(ILogger logger, LinkStatus status, string method, string incidentId, string action);
}
