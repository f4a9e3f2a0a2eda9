using IncidentFunctions.Access;
using IncidentFunctions.ApiDescription;
using IncidentFunctions.Http;
using IncidentFunctions.Incidents;
using IncidentFunctions.Lifecycle;
using IncidentFunctions.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace IncidentFunctions.Functions;

/// <summary>
/// The answer to acknowledge/resolve. <see cref="Outcome"/> is "applied" when this call acted, "alreadyDone" when
/// someone else did first (then ActedBy/ActedVia/ActedAt say who, how and when).
/// </summary>
public sealed record ResponderActionResult(string Outcome, string? ActedBy, string? ActedVia, DateTimeOffset? ActedAt, Incident Incident);

/// <summary>
/// Acknowledge and resolve for signed-in callers holding <see cref="Permission.Respond"/> on the incident (App Service
/// Authentication principal). An Idempotency-Key makes a retried POST answer what the first one did.
/// </summary>
public sealed class ResponderApi(IncidentResponder responder, IncidentGate gate, SignedInRoutes routes, IncidentLifecycles lifecycles)
{
    [Function(nameof(AcknowledgeIncident))]
    [ApiOperation("Acknowledge an incident as the signed-in user", ApiSecurity.SignedIn, Response = typeof(ResponderActionResult), Problems = [404, 409],
        Description = "Stops its escalation, moves triage to investigating, and makes the caller commander when nobody is (a caller the policy names). Acting twice is harmless: the answer's outcome is alreadyDone and says who acted first. Acknowledging a resolved incident is a 409.")]
    [IdempotencyKey]
    public Task<IActionResult> AcknowledgeIncident(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.IncidentAcknowledge)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken) =>
        ActAsync(request, nameof(AcknowledgeIncident), id, (caller, lifecycle) =>
            responder.AcknowledgeAsync(id, caller.Name, Channels.Api, lifecycle, cancellationToken, caller.PersonId, caller.ParticipantId), durableClient, cancellationToken);

    [Function(nameof(ResolveIncident))]
    [ApiOperation("Resolve an incident as the signed-in user", ApiSecurity.SignedIn, Response = typeof(ResponderActionResult), Problems = [404],
        Description = "Acting twice is harmless: the answer's outcome is alreadyDone and says who acted first.")]
    [IdempotencyKey]
    public Task<IActionResult> ResolveIncident(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.IncidentResolve)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken) =>
        ActAsync(request, nameof(ResolveIncident), id, (caller, lifecycle) =>
            responder.ResolveAsync(id, caller.Name, Channels.Api, lifecycle, cancellationToken, participant: caller.ParticipantId), durableClient, cancellationToken);

    Task<IActionResult> ActAsync(
        HttpRequest request, string function, string id, Func<Caller, IIncidentLifecycle, Task<TransitionResult>> act, DurableTaskClient durableClient, CancellationToken ct) =>
        routes.RunAsync(request, Permission.Respond, $"{function}/{id}", async caller =>
        {
            if ((await gate.AdmitAsync(caller, Permission.Respond, id, ct)).Refusal is { } refused)
            {
                return refused.ToResult();
            }

            var result = await act(caller, lifecycles.For(durableClient));
            return result.Outcome switch
            {
                TransitionOutcome.NotFound => Problem.NotFound("Incident", id).ToResult(),
                TransitionOutcome.Superseded => Problem.AlreadyResolved(id, result.ActedBy, result.ActedAt).ToResult(),
                _ => JsonResponse.Ok(new ResponderActionResult(
                    result.Outcome == TransitionOutcome.Applied ? "applied" : "alreadyDone",
                    result.ActedBy,
                    result.ActedVia,
                    result.ActedAt,
                    result.Incident!.ToIncident())),
            };
        }, ct);
}
