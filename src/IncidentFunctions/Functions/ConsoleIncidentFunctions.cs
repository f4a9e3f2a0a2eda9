using System.Globalization;
using IncidentFunctions.Access;
using IncidentFunctions.ApiDescription;
using IncidentFunctions.Http;
using IncidentFunctions.Incidents;
using IncidentFunctions.Model;
using IncidentFunctions.Responding;
using IncidentFunctions.Timeline;
using IncidentFunctions.WebConsole;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.Functions;

/// <summary>
/// The console's incident page and the fragments it polls. Each admits the viewer as a page does, then asks the
/// incident's gate (the API's own access decision: a restricted incident is the same 404 page as a missing one), reads,
/// and renders. The polls answer 204 when nothing changed: the header by the incident's ETag (the gate's one point
/// read), the timeline by its head (one more point read; see <see cref="TimelineCursor"/>).
/// </summary>
public sealed class ConsoleIncidentFunctions(
    ConsoleSignIn signIn,
    PageRenderer pages,
    IncidentGate gate,
    IncidentStore incidents,
    TimelineStore timeline,
    TaskStore tasks,
    IncidentViewer viewer,
    TimeProvider time)
{
    /// <summary>How many of an incident's alerts the page shows; the timeline has every one.</summary>
    public const int AlertsShown = 20;

    [Function(nameof(ConsoleIncident))]
    [ApiOperation("The console: one incident", ApiSecurity.SignedIn, ResponseMediaType = HtmlPage.ContentType, ResponseDescription = "The page (or a page saying why not, with the refusal's status).")]
    [ApiQuery(ConsolePaths.FilterQuery, "Which timeline events to show: all (the default), alerts, people or pinned.")]
    [ApiQuery(ConsolePaths.ShownQuery, "How many of the newest timeline events to show (100 by default), for reading older ones without script.", Type = typeof(int))]
    public async Task<IActionResult> ConsoleIncident(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleIncident)] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var (caller, incident, refusal) = await AdmitAsync(request, id, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        var filter = TimelineFilters.Parse(request.Query[ConsolePaths.FilterQuery]);
        var shown = ShownOf(request) is { } asked ? Math.Clamp(asked, 1, IncidentPageModel.MaxShown) : IncidentPageModel.TimelinePage;
        var tasksRead = tasks.ListAsync(id, cancellationToken);
        var alertsRead = incidents.FirstAlertRowsAsync(id, AlertsShown, cancellationToken);
        // The head before the events: an event added between the two reads is then new to the page's first poll.
        var head = await timeline.ReadHeadAsync(id, cancellationToken);
        var storedRead = timeline.ReadStoredAsync(id, cancellationToken);
        await Task.WhenAll(storedRead, tasksRead, alertsRead);

        var view = ViewOf(caller!, incident!);
        var stored = await storedRead;
        return await pages.PageAsync<IncidentPage>(StatusCodes.Status200OK, new Dictionary<string, object?>
        {
            [nameof(IncidentPage.View)] = view,
            [nameof(IncidentPage.Tasks)] = TasksOf(await tasksRead),
            [nameof(IncidentPage.Timeline)] = IncidentPageModel.TimelineOf(id, stored, head, filter, view.Incident.Response.Pinned, shown),
            [nameof(IncidentPage.Alerts)] = await alertsRead,
            [nameof(IncidentPage.Evidence)] = stored.Where(e => e.Event.Type == TimelineEventTypes.EvidenceAdded).Select(e => e.Event).Reverse().ToList(),
        });
    }

    [Function(nameof(ConsoleIncidentLive))]
    [ApiOperation("The console: an incident's header and panels, when changed", ApiSecurity.SignedIn, ResponseMediaType = HtmlPage.ContentType, Status = 200,
        ResponseDescription = "The region again (200), or 204 when the incident's ETag is still the one sent.")]
    [ApiQuery(ConsolePaths.ETagQuery, "The ETag the page shows.")]
    public async Task<IActionResult> ConsoleIncidentLive(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleIncidentLive)] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var (caller, incident, refusal) = await AdmitAsync(request, id, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        if (request.Query[ConsolePaths.ETagQuery] == incident!.ETag.ToString())
        {
            return NothingChanged.Instance;
        }

        return await pages.FragmentAsync<IncidentLive>(new Dictionary<string, object?>
        {
            [nameof(IncidentLive.View)] = ViewOf(caller!, incident),
            [nameof(IncidentLive.Tasks)] = TasksOf(await tasks.ListAsync(id, cancellationToken)),
        });
    }

    [Function(nameof(ConsoleIncidentTimeline))]
    [ApiOperation("The console: the timeline events stored since the page's cursor", ApiSecurity.SignedIn, ResponseMediaType = HtmlPage.ContentType,
        ResponseDescription = "The live list with the next cursor and the events now settled (200), or 204 when nothing was stored since.",
        Description = "The cursor follows the order events were stored in, not the time they carry, so an event recorded late with an earlier time is delivered (docs/console.md).")]
    [ApiQuery(ConsolePaths.SettledQuery, "The cursor's settled time (UTC ticks); absent: the page has nothing yet.", Type = typeof(long))]
    [ApiQuery(ConsolePaths.UnsettledQuery, "How many events stored after it the page holds.", Type = typeof(int))]
    [ApiQuery(ConsolePaths.HeadQuery, "The timeline's head when the page read it: unchanged, nothing was added since.")]
    [ApiQuery(ConsolePaths.FilterQuery, "The page's timeline filter.")]
    public async Task<IActionResult> ConsoleIncidentTimeline(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleIncidentTimeline)] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        // The frequent answer, nothing added since the page read, is one point read of the head, made beside the
        // admission's (its value is used only once the viewer is admitted), so it costs one round trip, not two.
        var headRead = IncidentIds.IsWellFormed(id) ? timeline.ReadHeadAsync(id, cancellationToken) : Task.FromResult(TimelineStore.NoHead);
        var (_, incident, refusal) = await AdmitAsync(request, id, cancellationToken);
        var head = await headRead;
        if (refusal is not null)
        {
            return refusal;
        }

        var cursor = TimelineCursor.Parse(request.Query[ConsolePaths.SettledQuery], request.Query[ConsolePaths.UnsettledQuery], request.Query[ConsolePaths.HeadQuery]);
        if (cursor.Unchanged(head))
        {
            return NothingChanged.Instance;
        }

        var delivery = cursor.After(await timeline.ReadStoredAfterAsync(id, cursor.SettledAt, cancellationToken), head);

        var filter = TimelineFilters.Parse(request.Query[ConsolePaths.FilterQuery]);
        var pinned = incident!.ResponseValue.Pinned.ToHashSet(StringComparer.Ordinal);
        return await pages.FragmentAsync<TimelineUpdateFragment>(new Dictionary<string, object?>
        {
            [nameof(TimelineUpdateFragment.Update)] = new TimelineUpdate(id, filter, pinned, delivery),
        });
    }

    [Function(nameof(ConsoleIncidentOlder))]
    [ApiOperation("The console: an incident's older timeline events, a page at a time", ApiSecurity.SignedIn, ResponseMediaType = HtmlPage.ContentType, Problems = [400])]
    [ApiQuery(ConsolePaths.BeforeQuery, "The row key of the oldest event the page shows.")]
    [ApiQuery(ConsolePaths.SettledQuery, "The page's first cursor's settled time (UTC ticks): later events came through the live list.", Type = typeof(long))]
    [ApiQuery(ConsolePaths.ShownQuery, "How many events the page shows.", Type = typeof(int))]
    [ApiQuery(ConsolePaths.FilterQuery, "The page's timeline filter.")]
    public async Task<IActionResult> ConsoleIncidentOlder(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ConsoleIncidentOlder)] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var (_, incident, refusal) = await AdmitAsync(request, id, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        var cursor = TimelineCursor.Parse(request.Query[ConsolePaths.SettledQuery], "0");
        if (request.Query[ConsolePaths.BeforeQuery].ToString() is not { Length: > 0 } before || cursor == TimelineCursor.Start)
        {
            return Problem.BadQuery(ConsolePaths.BeforeQuery, "an older-events link names where the page's timeline ends (before, settled)").ToResult();
        }

        var page = IncidentPageModel.OlderOf(
            id,
            await timeline.ReadStoredAsync(id, cancellationToken),
            new OlderEvents(before, cursor.SettledAt, ShownOf(request) ?? 0),
            TimelineFilters.Parse(request.Query[ConsolePaths.FilterQuery]),
            incident!.ResponseValue.Pinned);
        return await pages.FragmentAsync<OlderEventsFragment>(new Dictionary<string, object?> { [nameof(OlderEventsFragment.Page)] = page });
    }

    /// <summary>The viewer and the incident they may read, or the page (or sign-in) to answer instead.</summary>
    async Task<(Caller? Caller, IncidentEntity? Incident, IActionResult? Refusal)> AdmitAsync(HttpRequest request, string id, CancellationToken ct)
    {
        var admission = await signIn.AdmitAsync(request, Permission.Read);
        if (!admission.Admitted)
        {
            return (null, null, admission.Refusal);
        }

        var admitted = await gate.AdmitAsync(admission.Caller, Permission.Read, id, ct);
        return admitted.Refusal is { } refused
            ? (admission.Caller, null, await signIn.RefusalAsync(refused, admission.Caller))
            : (admission.Caller, admitted.Incident, null);
    }

    /// <summary>How many timeline events the page shows, as its query says; null when it says nothing we read.</summary>
    static int? ShownOf(HttpRequest request) =>
        int.TryParse(request.Query[ConsolePaths.ShownQuery], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    IncidentView ViewOf(Caller caller, IncidentEntity incident)
    {
        var now = time.GetUtcNow();
        return viewer.ViewOf(caller, IncidentViews.Of(incident, now), incident.ETag.ToString(), IncidentAccessFacts.Of(incident), now);
    }

    /// <summary>Open work first, then by due time, then as created.</summary>
    static List<IncidentTask> TasksOf(IReadOnlyList<TaskEntity> rows) =>
        [.. rows.Select(r => r.Value)
            .OrderBy(t => t.Status is IncidentTaskStatus.Open or IncidentTaskStatus.InProgress ? 0 : 1)
            .ThenBy(t => t.DueAt ?? DateTimeOffset.MaxValue)
            .ThenBy(t => t.CreatedAt)];
}
