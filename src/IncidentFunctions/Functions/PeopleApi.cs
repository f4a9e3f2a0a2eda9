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
/// The people on an incident: who holds its roles, responders paged into it, who else may see a restricted one, who
/// gets its stakeholder updates, and merging a duplicate into it. Each answers the incident as it is after the change,
/// with its ETag. Access first (the caller may not learn what the body would have said), then the body.
/// </summary>
public sealed class PeopleApi(
    SignedInRoutes routes,
    Coordinations coordinations,
    IncidentLifecycles lifecycles,
    RoleAssignments roles,
    ResponderPaging responders,
    AccessGrants grants,
    Subscriptions subscriptions,
    IncidentMerger merger)
{
    [Function(nameof(AssignRole))]
    [ApiOperation("Hand a role of the incident to a person", ApiSecurity.SignedIn, Request = typeof(AssignRoleRequest), Response = typeof(Incident), Problems = [400, 403, 404, 413, 415],
        Description = "One atomic hand-off: a role with one holder (commander always) moves from its holder to the person, a role with several gains them. "
            + "The new holder becomes a participant and is emailed the role's instructions. Commanders, admins and the incident's own commander.")]
    [IdempotencyKey]
    [IfMatch]
    [ETag]
    public Task<IActionResult> AssignRole(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.IncidentRoles)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken) =>
        ChangeAsync(request, nameof(AssignRole), id, Permission.Command, ChangeRequests.ReadAsync<AssignRoleRequest>,
            (caller, body) => roles.AssignAsync(caller, id, IfMatch.Of(request), body, coordinations.For(durableClient), cancellationToken), cancellationToken);

    [Function(nameof(ReleaseRole))]
    [ApiOperation("Take a role from one of its holders", ApiSecurity.SignedIn, Response = typeof(Incident), Problems = [400, 403, 404, 409],
        Description = "The commander role is never left empty: hand it to someone else instead (409).")]
    [IfMatch]
    [ETag]
    public Task<IActionResult> ReleaseRole(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Routes.IncidentRoleHolder)] HttpRequest request,
        string id,
        string role,
        string person,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken) =>
        ChangeAsync<object>(request, nameof(ReleaseRole), id, Permission.Command, null,
            (caller, _) => roles.ReleaseAsync(caller, id, IfMatch.Of(request), role, person, coordinations.For(durableClient), cancellationToken), cancellationToken);

    [Function(nameof(AddResponders))]
    [ApiOperation("Page more people into the incident", ApiSecurity.SignedIn, Request = typeof(AddRespondersRequest), Response = typeof(Incident), Problems = [400, 403, 404, 409, 413, 415],
        Description = "People, teams (their members) and escalation policies (whom their first level pages) by policy id. "
            + "Each person is paged once by email with acknowledge and resolve links, the message as its body, and becomes a participant.")]
    [IdempotencyKey]
    [IfMatch]
    [ETag]
    public Task<IActionResult> AddResponders(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.IncidentResponders)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken) =>
        ChangeAsync(request, nameof(AddResponders), id, Permission.Respond, ChangeRequests.ReadAsync<AddRespondersRequest>,
            (caller, body) => responders.AddAsync(caller, id, IfMatch.Of(request), body, coordinations.For(durableClient), cancellationToken), cancellationToken);

    [Function(nameof(GrantAccess))]
    [ApiOperation("Let a person see the incident", ApiSecurity.SignedIn, Request = typeof(GrantAccessRequest), Response = typeof(Incident), Problems = [400, 403, 404, 413, 415],
        Description = "A restricted incident is visible to its participants, the people granted access and admins only.")]
    [IdempotencyKey]
    [IfMatch]
    [ETag]
    public Task<IActionResult> GrantAccess(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.IncidentGrants)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken) =>
        ChangeAsync(request, nameof(GrantAccess), id, Permission.Command, ChangeRequests.ReadAsync<GrantAccessRequest>,
            (caller, body) => grants.GrantAsync(caller, id, IfMatch.Of(request), body, coordinations.For(durableClient), cancellationToken), cancellationToken);

    [Function(nameof(RevokeAccess))]
    [ApiOperation("Take back a person's granted access", ApiSecurity.SignedIn, Response = typeof(Incident), Problems = [403, 404],
        Description = "Someone who takes part in the incident still sees it. Revoking a grant nobody holds changes nothing.")]
    [IfMatch]
    [ETag]
    public Task<IActionResult> RevokeAccess(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Routes.IncidentGrant)] HttpRequest request,
        string id,
        string person,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken) =>
        ChangeAsync<object>(request, nameof(RevokeAccess), id, Permission.Command, null,
            (caller, _) => grants.RevokeAsync(caller, id, IfMatch.Of(request), person, coordinations.For(durableClient), cancellationToken), cancellationToken);

    [Function(nameof(Subscribe))]
    [ApiOperation("Get the incident's stakeholder updates by email", ApiSecurity.SignedIn, Response = typeof(Incident), Problems = [400, 404],
        Description = "For the signed-in caller, who must be a person of the policy (by email or Entra object id). Subscribing twice changes nothing.")]
    [ETag]
    public Task<IActionResult> Subscribe(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = Routes.IncidentSubscription)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken) =>
        ChangeAsync<object>(request, nameof(Subscribe), id, Permission.Read, null,
            (caller, _) => subscriptions.SubscribeAsync(caller, id, coordinations.For(durableClient), cancellationToken), cancellationToken);

    [Function(nameof(Unsubscribe))]
    [ApiOperation("Stop the incident's stakeholder updates", ApiSecurity.SignedIn, Response = typeof(Incident), Problems = [400, 404])]
    [ETag]
    public Task<IActionResult> Unsubscribe(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Routes.IncidentSubscription)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken) =>
        ChangeAsync<object>(request, nameof(Unsubscribe), id, Permission.Read, null,
            (caller, _) => subscriptions.UnsubscribeAsync(caller, id, coordinations.For(durableClient), cancellationToken), cancellationToken);

    [Function(nameof(MergeIncident))]
    [ApiOperation("Merge this incident into the one it duplicates", ApiSecurity.SignedIn, Request = typeof(MergeIncidentRequest), Response = typeof(Incident), Problems = [400, 403, 404, 409, 413, 415],
        Description = "This incident becomes merged, its escalation stops, and its alerts count into the other from then on; both timelines say so. "
            + "Needs the commander permission on both incidents. Answers this incident.")]
    [IdempotencyKey]
    [IfMatch]
    [ETag]
    public Task<IActionResult> MergeIncident(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.IncidentMerge)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken) =>
        ChangeAsync(request, nameof(MergeIncident), id, Permission.Command, ChangeRequests.ReadAsync<MergeIncidentRequest>,
            (caller, body) => merger.MergeAsync(caller, id, IfMatch.Of(request), body, coordinations.For(durableClient), lifecycles.For(durableClient), cancellationToken),
            cancellationToken);

    /// <summary>The shape of every change here (see <see cref="SignedInRoutes.ChangeAsync"/>).</summary>
    Task<IActionResult> ChangeAsync<T>(
        HttpRequest request, string function, string id, Permission permission, SignedInRoutes.BodyReader<T>? read, Func<Caller, T, Task<Edited>> change, CancellationToken ct)
        where T : class =>
        routes.ChangeAsync<T, Edited>(request, function, id, permission, read, (caller, body) => change(caller, body!), ct);
}
