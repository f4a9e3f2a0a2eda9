using System.Text.Json;
using IncidentFunctions.Access;
using IncidentFunctions.ApiDescription;
using IncidentFunctions.Http;
using IncidentFunctions.Incidents;
using IncidentFunctions.Lifecycle;
using IncidentFunctions.Model;
using IncidentFunctions.Responding;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace IncidentFunctions.Functions;

/// <summary>
/// Declaring an incident and running its record: edit, stage, severity, milestones, decline, close. Access first (the
/// least permission the route needs of anyone, then the incident's own decision), the body second, then one feature of
/// Responding. Every POST takes an Idempotency-Key; every edit an If-Match, and answers the incident with its new ETag.
/// </summary>
public sealed class IncidentRecordApi(
    SignedInRoutes routes,
    IncidentLifecycles lifecycles,
    Coordinations coordinations,
    IncidentDeclarer declarer,
    IncidentRecordEdits edits,
    StageChanges stages,
    SeverityEdits severities,
    MilestoneCorrections milestones,
    TimeProvider time)
{
    [Function(nameof(DeclareIncident))]
    [ApiOperation("Declare an incident", ApiSecurity.SignedIn, Request = typeof(DeclareRequest), Response = typeof(Incident), Status = 201, Problems = [400, 403],
        Description = "Opens an incident for a service of the policy (integration 'declared', channel api) and pages it per the service's escalation " +
            "policy, unless page is false: then it opens acknowledged by the declarer and nobody is paged. The answer's Location is the incident.")]
    [IdempotencyKey]
    [ETag]
    public async Task<IActionResult> DeclareIncident(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Incidents)] HttpRequest request,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken)
    {
        return await routes.RunAsync(request, Permission.Respond, nameof(DeclareIncident), async caller =>
        {
            var (body, bad) = await RequestBody.ReadJsonAsync(request, cancellationToken);
            using (body)
            {
                if (bad is not null)
                {
                    return bad.ToResult();
                }

                var declared = await declarer.DeclareAsync(caller, body!.RootElement, lifecycles.For(durableClient), coordinations.For(durableClient), cancellationToken);
                return declared.Refusal?.ToResult()
                    ?? IncidentAnswers.Of(declared.Incident!, time.GetUtcNow(), $"/{Routes.Prefix}/{Routes.Incident.Replace("{id}", declared.Incident!.Id, StringComparison.Ordinal)}");
            }
        }, cancellationToken);
    }

    [Function(nameof(EditIncident))]
    [ApiOperation("Edit an incident's title, summary, category or visibility", ApiSecurity.SignedIn, Request = typeof(EditRequest), Response = typeof(Incident), Problems = [400, 403, 404],
        Description = "Fields absent or null stay as they are. Visibility is the commander's to change (a request naming it needs the command permission); " +
            "a new category records incident.categorized, on which its playbook's tasks are created.")]
    [IfMatch]
    [ETag]
    public Task<IActionResult> EditIncident(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = Routes.Incident)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken) =>
        RecordAsync(request, nameof(EditIncident), id, Permission.Respond,
            (caller, body) => edits.EditAsync(caller, id, IfMatch.Of(request), body, coordinations.For(durableClient), cancellationToken), cancellationToken);

    [Function(nameof(ChangeStage))]
    [ApiOperation("Move an incident to another stage", ApiSecurity.SignedIn, Request = typeof(StageRequest), Response = typeof(Incident), Problems = [400, 403, 404, 409],
        Description = "The stage machine decides: a stage out of order is a 409 naming stage. Review, closed and declined are the commander's; " +
            "resolved resolves the incident as the resolve route does (paging stops); merged is the merge route's.")]
    [IdempotencyKey]
    [IfMatch]
    [ETag]
    public Task<IActionResult> ChangeStage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.IncidentStage)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken) =>
        RecordAsync(request, nameof(ChangeStage), id, Permission.Respond,
            (caller, body) => stages.ChangeAsync(caller, id, IfMatch.Of(request), body, lifecycles.For(durableClient), coordinations.For(durableClient), cancellationToken), cancellationToken);

    [Function(nameof(ChangeSeverity))]
    [ApiOperation("Change an incident's severity, with a reason", ApiSecurity.SignedIn, Request = typeof(SeverityRequest), Response = typeof(Incident), Problems = [400, 403, 404, 409],
        Description = "Recomputes the priority from the new severity and the service's impact tier, as triage does, and keeps the change in response.severityChanges.")]
    [IdempotencyKey]
    [IfMatch]
    [ETag]
    public Task<IActionResult> ChangeSeverity(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.IncidentSeverity)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken) =>
        RecordAsync(request, nameof(ChangeSeverity), id, Permission.Command,
            (caller, body) => severities.ChangeAsync(caller, id, IfMatch.Of(request), body, coordinations.For(durableClient), cancellationToken), cancellationToken);

    [Function(nameof(CorrectMilestone))]
    [ApiOperation("Correct one of an incident's milestones, with a reason", ApiSecurity.SignedIn, Request = typeof(MilestoneRequest), Response = typeof(Incident), Problems = [400, 403, 404, 409],
        Description = "The milestones keep their order (impact started, detected, acknowledged, mitigated, resolved, closed): a correction that breaks it is a 409 naming milestones.<name>.")]
    [IdempotencyKey]
    [IfMatch]
    [ETag]
    public Task<IActionResult> CorrectMilestone(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.IncidentMilestones)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken) =>
        RecordAsync(request, nameof(CorrectMilestone), id, Permission.Command,
            (caller, body) => milestones.CorrectAsync(caller, id, IfMatch.Of(request), body, coordinations.For(durableClient), cancellationToken), cancellationToken);

    [Function(nameof(DeclineIncident))]
    [ApiOperation("Decline an incident: it is not one", ApiSecurity.SignedIn, Request = typeof(ReasonRequest), Response = typeof(Incident), Problems = [400, 403, 404, 409],
        Description = "Needs a reason. The stage becomes declined and the incident is resolved (paging stops), its resolution saying declined.")]
    [IdempotencyKey]
    [IfMatch]
    [ETag]
    public Task<IActionResult> DeclineIncident(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.IncidentDecline)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken) =>
        RecordAsync(request, nameof(DeclineIncident), id, Permission.Command,
            (caller, body) => stages.DeclineAsync(caller, id, IfMatch.Of(request), body, lifecycles.For(durableClient), coordinations.For(durableClient), cancellationToken), cancellationToken);

    [Function(nameof(CloseIncident))]
    [ApiOperation("Close an incident: the response is over", ApiSecurity.SignedIn, Request = typeof(ReasonRequest), Response = typeof(Incident), Problems = [400, 403, 404, 409],
        Description = "Only from resolved or review (409 otherwise). Records the closed milestone.")]
    [IdempotencyKey]
    [IfMatch]
    [ETag]
    public Task<IActionResult> CloseIncident(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.IncidentClose)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken) =>
        RecordAsync(request, nameof(CloseIncident), id, Permission.Command,
            (caller, body) => stages.CloseAsync(caller, id, IfMatch.Of(request), body, coordinations.For(durableClient), cancellationToken), cancellationToken);

    /// <summary>The shape of every edit (see <see cref="SignedInRoutes.ChangeAsync"/>); these features read the body's fields themselves.</summary>
    Task<IActionResult> RecordAsync(
        HttpRequest request, string function, string id, Permission permission, Func<Caller, JsonElement, Task<Outcome>> act, CancellationToken ct) =>
        routes.ChangeAsync<SignedInRoutes.JsonBody, Outcome>(request, function, id, permission, SignedInRoutes.ReadJsonAsync, (caller, body) => act(caller, body!.Root), ct);
}
