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

/// <summary>Acknowledge and resolve for signed-in responders (App Service Authentication principal).</summary>
public sealed class ResponderApi(IncidentResponder responder, SignIn signIn, IncidentLifecycles lifecycles)
{
    [Function(nameof(AcknowledgeIncident))]
    [ApiOperation("Acknowledge an incident as the signed-in user", ApiSecurity.SignedIn, Response = typeof(ResponderActionResult), Problems = [404, 409],
        Description = "Stops its escalation. Acting twice is harmless: the answer's outcome is alreadyDone and says who acted first. Acknowledging a resolved incident is a 409.")]
    [IdempotencyKey]
    public Task<IActionResult> AcknowledgeIncident(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.IncidentAcknowledge)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken) =>
        ActAsync(request, id, (actor, lifecycle) => responder.AcknowledgeAsync(id, actor, Channels.Api, lifecycle, cancellationToken), durableClient);

    [Function(nameof(ResolveIncident))]
    [ApiOperation("Resolve an incident as the signed-in user", ApiSecurity.SignedIn, Response = typeof(ResponderActionResult), Problems = [404],
        Description = "Acting twice is harmless: the answer's outcome is alreadyDone and says who acted first.")]
    [IdempotencyKey]
    public Task<IActionResult> ResolveIncident(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.IncidentResolve)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken) =>
        ActAsync(request, id, (actor, lifecycle) => responder.ResolveAsync(id, actor, Channels.Api, lifecycle, cancellationToken), durableClient);

    async Task<IActionResult> ActAsync(
        HttpRequest request, string id, Func<string, IIncidentLifecycle, Task<TransitionResult>> act, DurableTaskClient durableClient)
    {
        if (signIn.PrincipalOf(request) is not { } principal)
        {
            return signIn.Refusal(request).ToResult();
        }

        if (!IncidentIds.IsWellFormed(id))
        {
            return Problem.NotFound("Incident", id).ToResult();
        }

        var result = await act(principal.Name, lifecycles.For(durableClient));
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
    }
}
