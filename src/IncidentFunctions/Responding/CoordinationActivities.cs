using System.Globalization;
using System.Text.Json;
using IncidentFunctions.Coordination;
using IncidentFunctions.Incidents;
using IncidentFunctions.Lifecycle;
using IncidentFunctions.LifecycleEvents;
using IncidentFunctions.Model;
using IncidentFunctions.Paging;
using IncidentFunctions.Policy;
using IncidentFunctions.Timeline;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Responding;

/// <summary>
/// The coordination orchestration's I/O, as activity functions. Each runs at least once and is
/// safe to repeat: deliveries send through the pager under the change's event ids, reminders under their dedupe ids.
/// </summary>
public sealed partial class CoordinationActivities(
    IncidentStore incidents,
    TaskStore tasks,
    TimelineStore timeline,
    IncidentPager pager,
    PolicyProvider policy,
    IEnumerable<IChangeDelivery> deliveries,
    IOptions<LifecycleEventOptions> events,
    TimeProvider time,
    ILogger<CoordinationActivities> logger)
{
    readonly IReadOnlyList<IChangeDelivery> deliveries = [.. deliveries];

    /// <summary>
    /// Hands each event of the change to every delivery that handles its type. A delivery that throws is retried by the
    /// orchestration's retry policy with the whole change; the ones that went through send nothing twice.
    /// </summary>
    [Function(nameof(DeliverChange))]
    public async Task DeliverChange([ActivityTrigger] CoordinationChange change, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        var incident = await incidents.FindAsync(change.IncidentId, ct)
            ?? throw new InvalidOperationException($"Incident {change.IncidentId} does not exist.");
        foreach (var recorded in change.Events)
        {
            foreach (var delivery in deliveries.Where(d => d.Handles(recorded.Type)))
            {
                await delivery.DeliverAsync(incident, recorded, ct);
            }
        }
    }

    /// <summary>
    /// Reads the incident and its tasks, plans the reminders (<see cref="Reminders.Plan"/>) and sends each one due, once:
    /// its notification id is the reminder's dedupe id, and its reminder.sent event (same id) is recorded with the emails.
    /// </summary>
    [Function(nameof(Remind))]
    public async Task<CoordinationRound> Remind([ActivityTrigger] RemindRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);

        // The run's timer may have fired a little early (see DueTime): the reminder due then waits here, not there.
        var start = time.GetUtcNow();
        var until = start + DueTime.Remaining(start, request.TimerDueAt);
        for (var now = start; now < until; now = time.GetUtcNow())
        {
            await Task.Delay(until - now, time, ct);
        }

        var incident = await incidents.FindAsync(request.IncidentId, ct)
            ?? throw new InvalidOperationException($"Incident {request.IncidentId} does not exist.");
        var plannedAt = time.GetUtcNow();
        var missed = await MissedChangesAsync(incident, request, ct);
        var response = incident.ResponseValue;
        if (StageMachine.IsFinal(response.Stage))
        {
            return new CoordinationRound(plannedAt, null, Final: true, null, events.Value.Plan, 0, missed);
        }

        var current = policy.Current;
        var state = await StateOfAsync(incident, response, ct);
        var plan = Reminders.Plan(state.State, current.Response, plannedAt, request.Since);
        foreach (var reminder in plan.DueNow)
        {
            await SendAsync(incident, current, state, reminder, plannedAt, ct);
        }

        return new CoordinationRound(plannedAt, plan.NextAt, Final: false, null, events.Value.Plan, plan.DueNow.Count, missed);
    }

    /// <summary>
    /// For an incident nobody has acknowledged, called by its paging orchestration when unfilled required roles come
    /// due: reminds the level it is paging (<see cref="UnfilledRolesReminder.CurrentLevel"/>), under the same dedupe id
    /// the coordination would use for that slot, and answers when the next slot is. Null once someone acknowledged it,
    /// resolved it or holds command (the coordination reminds them from then on), or nothing is unfilled.
    /// </summary>
    [Function(CoordinationActivityNames.RemindUnfilledRoles)]
    public async Task<DateTimeOffset?> RemindUnfilledRoles([ActivityTrigger] UnfilledRolesReminder request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var incident = await incidents.FindAsync(request.IncidentId, ct);
        if (incident is null || incident.StatusValue != IncidentStatus.Open)
        {
            return null;
        }

        var response = incident.ResponseValue;
        if (RoleRules.HoldersOf(response.Roles, ResponsePolicy.Commander).Count > 0)
        {
            return null;
        }

        var current = policy.Current;
        var now = time.GetUtcNow();
        var priority = Enum.TryParse<Priority>(incident.Priority, out var p) ? p : Priority.P4;
        var state = new CoordinationState(incident.Id, incident.OpenedAt, priority, response.Stage, response.Roles, [], response.InternalUpdates, response.StakeholderUpdates);
        var plan = Reminders.RequiredRoles(state, current.Response, now);
        var looked = new Looked(state, new Dictionary<string, string>());
        foreach (var reminder in plan.DueNow)
        {
            await SendAsync(incident, current, looked, reminder, now, ct, request.CurrentLevel);
        }

        return plan.NextAt;
    }

    /// <summary>
    /// The recorded changes the run has not delivered, oldest first: their signals were lost (or are still on their
    /// way; the run delivers each revision once). The row holds its last change whole; earlier ones it keeps as
    /// <see cref="RecentChanges"/>, whose events are read back from the timeline. A run that says since when
    /// (<see cref="RemindRequest.MissedSince"/>) is handed only what was recorded since, never an earlier run's changes.
    /// </summary>
    async Task<IReadOnlyList<CoordinationChange>> MissedChangesAsync(IncidentEntity incident, RemindRequest request, CancellationToken ct)
    {
        var missed = new List<CoordinationChange>();
        if (request.MissedSince is { } since)
        {
            foreach (var change in RecentChanges.Undelivered(RecentChanges.Read(incident.RecentChanges), request.Delivered, since, except: incident.Revision))
            {
                missed.Add(new CoordinationChange(incident.Id, change.Revision, await timeline.ReadChangeAsync(incident.Id, change.At, change.Revision, ct), change.Transitions));
            }
        }

        if (incident.LastChange is not null && !request.Delivered.Contains(incident.Revision))
        {
            var last = JsonSerializer.Deserialize<LastChange>(incident.LastChange, JsonDefaults.Options)!;
            if (request.MissedSince is not { } from || last.Events.Count > 0 && last.Events[0].At >= from)
            {
                missed.Add(new CoordinationChange(incident.Id, incident.Revision, last.Events, last.Transitions));
            }
        }

        return missed;
    }

    sealed record Looked(CoordinationState State, IReadOnlyDictionary<string, string> TaskTitles);

    async Task<Looked> StateOfAsync(IncidentEntity incident, IncidentResponse response, CancellationToken ct)
    {
        var stored = await tasks.ListAsync(incident.Id, ct);
        var open = stored.Select(t => t.Value).Where(t => t.DueAt is not null && !TaskRules.IsFinished(t.Status)).ToList();
        var priority = Enum.TryParse<Priority>(incident.Priority, out var p) ? p : Priority.P4;
        var state = new CoordinationState(
            incident.Id,
            incident.OpenedAt,
            priority,
            response.Stage,
            response.Roles,
            [.. open.Select(t => new CoordinationTask(t.Id, t.Assignee, t.Status, t.DueAt))],
            response.InternalUpdates,
            response.StakeholderUpdates);
        return new Looked(state, open.ToDictionary(t => t.Id, t => t.Title, StringComparer.Ordinal));
    }

    async Task SendAsync(IncidentEntity incident, IncidentPolicy current, Looked looked, Reminder reminder, DateTimeOffset now, CancellationToken ct, IReadOnlyList<Recipient>? currentLevel = null)
    {
        var recipients = currentLevel is not null && reminder.Target.CurrentEscalationLevel ? [.. currentLevel] : RecipientsOf(incident, current, reminder.Target);
        var (headline, body) = Wording(current.Response, looked, reminder);
        var sent = new TimelineEvent(
            $"reminder-{reminder.DedupeId}", now, TimelineEventTypes.ReminderSent, "system", Channels.System,
            recipients.Count == 0 ? $"{headline}; nobody to remind" : $"{headline}; reminding {string.Join(", ", recipients.Select(r => r.Name))}",
            new Dictionary<string, string>
            {
                ["kind"] = JsonNamingPolicy.CamelCase.ConvertName(reminder.Kind.ToString()),
                ["subject"] = reminder.Subject,
                ["dueAt"] = reminder.DueAt.ToString("O", CultureInfo.InvariantCulture),
                ["recipients"] = string.Join(",", recipients.Select(r => r.PersonId)),
            });
        if (recipients.Count == 0)
        {
            await timeline.AppendAsync(incident.Id, sent, ct);
            return;
        }

        await pager.SendAsync(
            new NotifyRequest(incident.Id, sent.Id, NotificationKind.Reminder, Level: null, recipients, now, Preceding: sent, Message: new NotificationMessage(headline, body)),
            incident.ToSnapshot(),
            ct);
        LogReminded(logger, reminder.Kind, incident.Id, recipients.Count);
    }

    /// <summary>
    /// The policy's people the reminder names, or, when it names nobody (no commander), level 1 of the incident's
    /// escalation: frozen on the row at triage, so finding it costs nothing more. The coordination runs once someone has
    /// acknowledged (and the first to acknowledge takes command), so this is for an incident whose commander was never
    /// set: paging has stopped, and level 1 is who the escalation pages first when it starts again. While the incident
    /// is still paging, its orchestration names the level it pages (<see cref="RemindUnfilledRoles"/>).
    /// </summary>
    static List<Recipient> RecipientsOf(IncidentEntity incident, IncidentPolicy current, ReminderTarget target)
    {
        if (target.CurrentEscalationLevel)
        {
            var triage = incident.Triage is { } stored ? JsonSerializer.Deserialize<TriageResult>(stored, JsonDefaults.Options) : null;
            return triage?.Escalation.Levels is [var first, ..] ? [.. first.Recipients] : [];
        }

        return [.. target.People.Select(current.People.Person).OfType<Recipient>()];
    }

    static (string Headline, string Body) Wording(ResponsePolicy response, Looked looked, Reminder reminder) => reminder.Kind switch
    {
        ReminderKind.RequiredRoles => (
            "Required roles are unassigned",
            $"Nobody holds {string.Join(", ", reminder.Subject.Split(',').Select(id => response.Role(id)?.Name ?? id))} yet. Assign them, or take them on."),
        ReminderKind.TaskOverdue => (
            "A task is overdue",
            $"\"{looked.TaskTitles.GetValueOrDefault(reminder.Subject, reminder.Subject)}\" was due at {reminder.DueAt:yyyy-MM-dd HH:mm} UTC. Finish it, or say why not."),
        _ => (
            $"An {reminder.Subject} update is overdue",
            $"The next {reminder.Subject} update was due at {reminder.DueAt:yyyy-MM-dd HH:mm} UTC. Post one."),
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Sent a {Kind} reminder for incident {IncidentId} to {Count} people")]
    static partial void LogReminded(ILogger logger, ReminderKind kind, string incidentId, int count);
}
