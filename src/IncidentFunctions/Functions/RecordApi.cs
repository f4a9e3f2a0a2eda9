using IncidentFunctions.Access;
using IncidentFunctions.ApiDescription;
using IncidentFunctions.Http;
using IncidentFunctions.Model;
using IncidentFunctions.Responding;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace IncidentFunctions.Functions;

/// <summary>What people write on an incident's record: notes, status updates, decisions, and pins of timeline events.</summary>
public sealed class RecordApi(IncidentRecord record, SignedInRoutes routes, Coordinations coordinations, TimeProvider time)
{
    [Function(nameof(AddNote))]
    [ApiOperation("Add a note to an incident's timeline", ApiSecurity.SignedIn, Request = typeof(NoteRequest), Response = typeof(RecordedEntry), Status = 201,
        Problems = [400, 404, 413, 415],
        Description = "body: at most 10,000 characters. occurredAt: when what the note says happened, if earlier (kept beside the time it was recorded).")]
    [IdempotencyKey]
    public Task<IActionResult> AddNote(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.IncidentNotes)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken) =>
        WriteAsync(request, nameof(AddNote), id, (caller, signals) => record.AddNoteAsync(caller, id, request, signals, cancellationToken), durableClient, cancellationToken);

    [Function(nameof(PostUpdate))]
    [ApiOperation("Post a status update to the participants (internal) or the stakeholders", ApiSecurity.SignedIn, Request = typeof(UpdateRequest), Response = typeof(PostedUpdate),
        Status = 201, Problems = [400, 404, 413, 415],
        Description = "Emailed to its audience: stakeholders are the policy's stakeholders for the service and priority and the incident's " +
            "subscribers; internal, its participants. A restricted incident's update reaches only people who may see it. nextUpdateAt, " +
            "when given, is when the next update is due instead of the protocol's cadence; the answer's nextDue says when it is.")]
    [IdempotencyKey]
    public Task<IActionResult> PostUpdate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.IncidentUpdates)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken) =>
        WriteAsync(request, nameof(PostUpdate), id, (caller, signals) => record.PostUpdateAsync(caller, id, request, signals, cancellationToken), durableClient, cancellationToken);

    [Function(nameof(RecordDecision))]
    [ApiOperation("Record a decision, why it was taken, the options weighed and who decided", ApiSecurity.SignedIn, Request = typeof(DecisionRequest),
        Response = typeof(RecordedEntry), Status = 201, Problems = [400, 404, 413, 415],
        Description = "decidedBy is a policy person id; the caller when absent. At most 20 options.")]
    [IdempotencyKey]
    public Task<IActionResult> RecordDecision(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.IncidentDecisions)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken) =>
        WriteAsync(request, nameof(RecordDecision), id, (caller, signals) => record.RecordDecisionAsync(caller, id, request, signals, cancellationToken), durableClient, cancellationToken);

    [Function(nameof(PinEvent))]
    [ApiOperation("Pin a timeline event of the incident", ApiSecurity.SignedIn, Response = typeof(Incident), Problems = [404, 409],
        Description = "The event must be on this incident's timeline (404 naming event otherwise). Pinning a pinned event changes nothing. At most 50 pins.")]
    [IfMatch]
    [ETag]
    public Task<IActionResult> PinEvent(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = Routes.IncidentPin)] HttpRequest request,
        string id,
        string @event,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken) =>
        PinAsync(request, id, @event, pin: true, durableClient, cancellationToken);

    [Function(nameof(UnpinEvent))]
    [ApiOperation("Unpin a timeline event of the incident", ApiSecurity.SignedIn, Response = typeof(Incident), Problems = [404],
        Description = "Unpinning an event that is not pinned changes nothing.")]
    [IfMatch]
    [ETag]
    public Task<IActionResult> UnpinEvent(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Routes.IncidentPin)] HttpRequest request,
        string id,
        string @event,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken) =>
        PinAsync(request, id, @event, pin: false, durableClient, cancellationToken);

    Task<IActionResult> PinAsync(HttpRequest request, string id, string eventId, bool pin, DurableTaskClient durableClient, CancellationToken ct) =>
        routes.RunAsync(request, Permission.Respond, $"{(pin ? nameof(PinEvent) : nameof(UnpinEvent))}/{id}", async caller =>
        {
            var outcome = await record.PinAsync(caller, id, eventId, pin, IfMatch.Of(request), coordinations.For(durableClient), ct);
            return outcome.Refusal?.ToResult() ?? IncidentAnswers.Of(outcome.Incident!, time.GetUtcNow());
        }, ct);

    Task<IActionResult> WriteAsync<T>(
        HttpRequest request, string function, string id, Func<Caller, ICoordinationSignals, Task<RecordOutcome<T>>> write, DurableTaskClient durableClient, CancellationToken ct)
        where T : class =>
        routes.RunAsync(request, Permission.Respond, $"{function}/{id}", async caller =>
        {
            var outcome = await write(caller, coordinations.For(durableClient));
            return outcome.Refusal?.ToResult() ?? new JsonResponse(outcome.Value!, StatusCodes.Status201Created);
        }, ct);
}
