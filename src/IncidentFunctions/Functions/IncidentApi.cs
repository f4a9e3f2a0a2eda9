using IncidentFunctions.Access;
using IncidentFunctions.ApiDescription;
using IncidentFunctions.Http;
using IncidentFunctions.Incidents;
using IncidentFunctions.Model;
using IncidentFunctions.Timeline;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.Functions;

/// <summary>
/// Read routes. They need a signed-in caller (App Service Authentication) holding <see cref="Permission.Read"/>, and show
/// only the incidents the caller may see.
/// </summary>
public sealed class IncidentApi(IncidentStore incidents, TimelineStore timeline, SignIn signIn, IncidentGate gate, TimeProvider time)
{
    public const int DefaultPageSize = 50;
    public const string StatusQuery = "status";
    public const string LimitQuery = "limit";
    public const string ContinuationQuery = "continuation";
    const string LimitRule = "A page size from 1 to 100 (default 50).";
    const string ContinuationRule = "The continuationToken of the previous page; absent for the first.";
    static readonly string[] StatusFilters = [.. Enum.GetValues<IncidentStatus>().Select(IndexEntity.BucketOf), IndexEntity.All];

    [Function(nameof(ListIncidents))]
    [ApiOperation("Incidents, newest first, a page at a time", ApiSecurity.SignedIn, Response = typeof(ResultPage<IncidentSummary>), Problems = [400],
        Description = "Each item is the incident's summary; GET /api/incidents/{id} has the rest (alerts, labels, links, the whole response record). Restricted incidents the caller may not see are left out.")]
    [ApiQuery(StatusQuery, "open (the default), acknowledged, resolved or all.")]
    [ApiQuery(LimitQuery, LimitRule, Type = typeof(int))]
    [ApiQuery(ContinuationQuery, ContinuationRule)]
    public async Task<IActionResult> ListIncidents(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Incidents)] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (!signIn.TryAdmit(request, Permission.Read, out var caller, out var refusal))
        {
            return refusal.ToResult();
        }

        var status = request.Query[StatusQuery].ToString() is { Length: > 0 } s ? s.ToLowerInvariant() : IndexEntity.BucketOf(IncidentStatus.Open);
        if (!StatusFilters.Contains(status))
        {
            return Problem.BadQuery(StatusQuery, $"must be one of {string.Join(", ", StatusFilters)}").ToResult();
        }

        return await Paged(request, async (size, token) =>
        {
            var page = await incidents.ListAsync(status, size, token, cancellationToken);
            return new ResultPage<IncidentSummary>([.. page.Items.Where(i => IncidentAccess.CanSee(caller, IncidentAccessFacts.Of(i))).Select(i => i.Summary)], page.ContinuationToken);
        });
    }

    [Function(nameof(GetIncident))]
    [ApiOperation("One incident", ApiSecurity.SignedIn, Response = typeof(Incident), Problems = [404])]
    [ETag]
    public async Task<IActionResult> GetIncident(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Incident)] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        if (!signIn.TryAdmit(request, Permission.Read, out var caller, out var refusal))
        {
            return refusal.ToResult();
        }

        var admitted = await gate.AdmitAsync(caller, Permission.Read, id, cancellationToken);
        return admitted.Refusal?.ToResult() ?? IncidentAnswers.Of(admitted.Incident!, time.GetUtcNow());
    }

    [Function(nameof(GetTimeline))]
    [ApiOperation("An incident's timeline, oldest first, a page at a time", ApiSecurity.SignedIn, Response = typeof(ResultPage<TimelineEvent>), Problems = [400, 404])]
    [ApiQuery(LimitQuery, LimitRule, Type = typeof(int))]
    [ApiQuery(ContinuationQuery, ContinuationRule)]
    public async Task<IActionResult> GetTimeline(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.IncidentTimeline)] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        if (!signIn.TryAdmit(request, Permission.Read, out var caller, out var refusal))
        {
            return refusal.ToResult();
        }

        if ((await gate.AdmitAsync(caller, Permission.Read, id, cancellationToken)).Refusal is { } hidden)
        {
            return hidden.ToResult();
        }

        return await Paged(request, (size, token) => timeline.ReadAsync(id, size, token, cancellationToken));
    }

    static async Task<IActionResult> Paged<T>(HttpRequest request, Func<int, string?, Task<ResultPage<T>>> read)
    {
        var size = DefaultPageSize;
        if (request.Query[LimitQuery].ToString() is { Length: > 0 } limit &&
            (!int.TryParse(limit, out size) || size < 1 || size > IncidentStore.MaxPageSize))
        {
            return Problem.BadQuery(LimitQuery, $"must be a whole number from 1 to {IncidentStore.MaxPageSize}").ToResult();
        }

        try
        {
            return JsonResponse.Ok(await read(size, request.Query[ContinuationQuery].ToString() is { Length: > 0 } c ? c : null));
        }
        catch (InvalidContinuationTokenException e)
        {
            return Problem.BadQuery(ContinuationQuery, e.Message).ToResult();
        }
    }
}
