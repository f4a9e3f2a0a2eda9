using IncidentFunctions.Http;
using IncidentFunctions.Incidents;
using IncidentFunctions.Model;
using IncidentFunctions.Timeline;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.Functions;

/// <summary>Read routes for responders. They require a signed-in principal (App Service Authentication).</summary>
public sealed class IncidentApi(IncidentStore incidents, TimelineStore timeline, SignIn signIn)
{
    public const int DefaultPageSize = 50;
    static readonly string[] StatusFilters = [.. Enum.GetValues<IncidentStatus>().Select(IndexEntity.BucketOf), IndexEntity.All];

    [Function(nameof(ListIncidents))]
    public async Task<IActionResult> ListIncidents(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Incidents)] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (RefuseAnonymous(request) is { } refused)
        {
            return refused;
        }

        var status = request.Query["status"].ToString() is { Length: > 0 } s ? s.ToLowerInvariant() : IndexEntity.BucketOf(IncidentStatus.Open);
        if (!StatusFilters.Contains(status))
        {
            return Problem.BadQuery("status", $"must be one of {string.Join(", ", StatusFilters)}").ToResult();
        }

        return await Paged(request, (size, token) => incidents.ListAsync(status, size, token, cancellationToken));
    }

    [Function(nameof(GetIncident))]
    public async Task<IActionResult> GetIncident(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Incident)] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        if (RefuseAnonymous(request) is { } refused)
        {
            return refused;
        }

        var incident = IncidentIds.IsWellFormed(id) ? await incidents.FindAsync(id, cancellationToken) : null;
        return incident is null ? Problem.NotFound("Incident", id).ToResult() : JsonResponse.Ok(incident.ToIncident());
    }

    [Function(nameof(GetTimeline))]
    public async Task<IActionResult> GetTimeline(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.IncidentTimeline)] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        if (RefuseAnonymous(request) is { } refused)
        {
            return refused;
        }

        if (!IncidentIds.IsWellFormed(id) || await incidents.FindAsync(id, cancellationToken) is null)
        {
            return Problem.NotFound("Incident", id).ToResult();
        }

        return await Paged(request, (size, token) => timeline.ReadAsync(id, size, token, cancellationToken));
    }

    /// <summary>In Azure, App Service Authentication signs callers in; the dev host plays that part locally.</summary>
    IActionResult? RefuseAnonymous(HttpRequest request) =>
        signIn.PrincipalOf(request) is null ? signIn.Refusal(request).ToResult() : null;

    static async Task<IActionResult> Paged<T>(HttpRequest request, Func<int, string?, Task<ResultPage<T>>> read)
    {
        var size = DefaultPageSize;
        if (request.Query["limit"].ToString() is { Length: > 0 } limit &&
            (!int.TryParse(limit, out size) || size < 1 || size > IncidentStore.MaxPageSize))
        {
            return Problem.BadQuery("limit", $"must be a whole number from 1 to {IncidentStore.MaxPageSize}").ToResult();
        }

        try
        {
            return JsonResponse.Ok(await read(size, request.Query["continuation"].ToString() is { Length: > 0 } c ? c : null));
        }
        catch (InvalidContinuationTokenException e)
        {
            return Problem.BadQuery("continuation", e.Message).ToResult();
        }
    }
}
