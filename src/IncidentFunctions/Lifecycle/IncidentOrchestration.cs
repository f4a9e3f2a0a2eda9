using IncidentFunctions.LifecycleEvents;
using IncidentFunctions.Model;
using IncidentFunctions.Opening;
using IncidentFunctions.Paging;
using IncidentFunctions.Policy;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Lifecycle;

/// <summary>
/// One orchestration per incident (instance id = incident id): triage and route, then page level by level on durable
/// timers until someone acknowledges or the incident resolves; re-trigger when an acknowledgement goes stale; tell
/// everyone who was paged when it resolves.
/// The incident row is the source of truth for acknowledgement and resolution (see <see cref="IncidentResponder"/>):
/// a signal only wakes the orchestration, which then re-reads the row. Deterministic: time and ids come from the
/// context, all I/O is in activities, each activity call declares its retries.
/// Every transition it records or reads off the row is published as a lifecycle event, once per timeline event id.
/// </summary>
public static class IncidentOrchestration
{
    /// <summary>Activities touch storage; transient failures are retried here, next to the calls.</summary>
    public static readonly TaskOptions StorageRetry = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 6, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromSeconds(30)));

    /// <summary>Sending email may meet a slow or throttling relay; the sender already honours Retry-After within a call.</summary>
    public static readonly TaskOptions EmailRetry = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 5, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromMinutes(1)));

    [Function(nameof(IncidentOrchestrator))]
    public static async Task<string> IncidentOrchestrator([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var input = context.GetInput<IncidentLifecycleInput>()
            ?? throw new InvalidOperationException("The incident orchestration needs an IncidentLifecycleInput.");
        var run = new IncidentRun(context, input.IncidentId, input.Revision);

        var start = await run.BeginAsync(input.Start);
        await run.ActiveAsync(start);
        await run.EventsPublishedAsync();
        // Review (post-incident) continues from here in a later phase; the active phase ends with the resolution.
        return LifecyclePhases.Resolved;
    }

    /// <summary>The state of one execution. Rebuilt identically on every replay from the orchestration's history.</summary>
    sealed class IncidentRun(TaskOrchestrationContext context, string incidentId, int revision)
    {
        /// <summary>
        /// How early an escalation timer may fire and be acted on. Revision 0 instances re-armed it until past the due
        /// time, and their histories say so: they keep doing it (see <see cref="IncidentLifecycleInput.Revision"/>).
        /// </summary>
        readonly TimeSpan escalationEarly = revision >= 1 ? DueTime.EarlyAllowance : TimeSpan.Zero;

        /// <summary>Revision 3 on: pages go through PageIfOpen, which reads the incident before it emails.</summary>
        readonly bool pagesCheckTheIncident = revision >= 3;

        readonly ILogger log = context.CreateReplaySafeLogger(nameof(IncidentOrchestrator));

        /// <summary>Everyone paged so far, in order, to tell them when the incident resolves.</summary>
        readonly List<Recipient> paged = [];

        /// <summary>Event ids handed to publishing: a row re-read many times still publishes each transition once.</summary>
        readonly HashSet<string> announced = [];

        /// <summary>The last lifecycle event queued for publishing; each waits for the one before it.</summary>
        Task publishing = Task.CompletedTask;

        /// <summary>Null when lifecycle events are off for this incident: then nothing is announced or scheduled.</summary>
        EventPublishingPlan? events;

        int emailsSent;
        bool budgetNoted;

        /// <summary>Set when the opener's first page reached everyone on it before this orchestration began.</summary>
        DateTimeOffset? firstPageSentAt;

        /// <summary>
        /// Set when the orchestration began from the opener's hand-over and has not read the incident row itself yet. A
        /// signal raised while the instance was only just being created can be lost (seen under load: a source's resolve
        /// right after the opening, and the incident went on paging); so before the first escalation page it reads the
        /// row once, and a resolve or acknowledgement stored meanwhile stops it there. Revisions 1 and 2 only: from
        /// revision 3 that page's own activity is the read (<see cref="pagesCheckTheIncident"/>).
        /// </summary>
        bool unreadSinceHandOver;

        /// <summary>
        /// When unfilled required roles next remind the level being paged (revision 2 on); null: not while paging. The
        /// reminding activity answers with the next time, and with null once someone acknowledges or takes command.
        /// </summary>
        DateTimeOffset? rolesRemindAt;

        /// <summary>When the first page was due: when the incident opened, or when a hold (maintenance, flapping) ended.</summary>
        DateTimeOffset firstPageDueAt;
        DateTimeOffset? sourceResolveHandled;

        DateTimeOffset Now => context.CurrentUtcDateTime;

        string NewId() => context.NewGuid().ToString("N");

        /// <summary>Takes the start the opener handed over, or (without one) has an activity read the incident.</summary>
        public async Task<IncidentStart> BeginAsync(IncidentStart? given)
        {
            var start = given ?? await context.CallActivityAsync<IncidentStart>(
                nameof(LifecycleActivities.BeginIncident), new BeginRequest(incidentId), StorageRetry);
            events = start.Events;
            // From revision 3 the first escalation page reads the incident itself (PageIfOpen).
            unreadSinceHandOver = given is not null && revision is >= 1 and < 3;
            firstPageDueAt = start.OpenedAt;
            rolesRemindAt = revision >= 2 && start.Triage.RequiredRolesWithinMinutes is { } minutes ? start.OpenedAt.AddMinutes(minutes) : null;
            firstPageSentAt = start.FirstPageSent ? start.FirstPagedAt : null;
            Announce(new IncidentTransition(incidentId, IncidentOpener.OpenedEventIdOf(incidentId), LifecycleEventKind.Opened, start.OpenedAt, "system", Channels.System));
            return start;
        }

        /// <summary>Waits for the lifecycle events still on their way: each ends published or recorded as failed.</summary>
        public Task EventsPublishedAsync() => publishing;

        public async Task ActiveAsync(IncidentStart start)
        {
            var plan = start.Triage.Escalation;
            // An acknowledgement or resolution may be stored already: signals raised before this instance existed are lost.
            var state = await ObserveAsync(plan, start.State);
            if (start.FirstPagedAt is not null && state.Status != IncidentStatus.Open && plan.Levels is [var first, ..])
            {
                // The opener paged level 1 and someone acted before this began: they hear of the resolution too.
                WithinBudget(plan, first.Recipients);
            }

            if (start.Triage.Maintenance is { } window && state.Status == IncidentStatus.Open)
            {
                state = await MaintenanceAsync(plan, window);
            }

            if (state is { FlappingUntil: { } until, FlapCount: { } openings, Status: IncidentStatus.Open } && until > Now)
            {
                state = await FlappingAsync(plan, until, openings);
            }

            var kind = NotificationKind.Page;
            while (state.Status != IncidentStatus.Resolved)
            {
                if (state.Status == IncidentStatus.Open)
                {
                    state = await EscalateAsync(plan, kind);
                    continue;
                }

                state = await AcknowledgedAsync(plan, state);
                kind = NotificationKind.Retriggered;
            }

            context.SetCustomStatus(new LifecycleStatus(LifecyclePhases.Resolved));
            await NotifyAsync(plan, NotificationKind.Resolved, null, paged, countsAgainstBudget: false);
            log.LogInformation("Incident {IncidentId} resolved; told {Count} people who were paged", incidentId, paged.Count);
        }

        /// <summary>
        /// Pages level after level, the whole policy 1 + repeat times, then tells the team once and waits. Returns as
        /// soon as the incident is no longer open (acknowledged or resolved).
        /// </summary>
        async Task<IncidentState> EscalateAsync(EscalationPlan plan, NotificationKind kind)
        {
            DateTimeOffset? dueAt = null;
            for (var cycle = 0; cycle <= plan.Repeat; cycle++)
            {
                for (var level = 1; level <= plan.Levels.Count; level++)
                {
                    // The escalation is recorded by the activity that pages the level, right before it emails.
                    var escalated = dueAt is { } due
                        ? NewEvent(At(due), TimelineEventTypes.IncidentEscalated, $"Escalated to level {level}" + (cycle > 0 ? $" (repeat {cycle})" : string.Empty),
                            new() { ["level"] = level.ToString(), ["cycle"] = cycle.ToString(), ["dueAt"] = due.ToString("O") })
                        : null;

                    if (dueAt is not null && unreadSinceHandOver)
                    {
                        if (await ReadAsync(plan) is { Status: not IncidentStatus.Open } acted)
                        {
                            return acted;
                        }
                    }

                    // The first page has a fixed id: the opener may have sent it already (see IncidentPager).
                    var step = plan.Levels[level - 1];
                    var first = kind == NotificationKind.Page && cycle == 0 && level == 1;
                    var (pagedAt, stoppedBy) = await NotifyAsync(
                        plan, kind, level, step.Recipients, countsAgainstBudget: true, preceding: escalated,
                        notificationId: first ? IncidentPager.FirstPageId : null, sentAt: first ? firstPageSentAt : null,
                        dueAt: dueAt ?? (first ? firstPageDueAt : Now));
                    if (stoppedBy is not null)
                    {
                        return stoppedBy;
                    }

                    if (escalated is not null)
                    {
                        Announce(new IncidentTransition(incidentId, escalated.Id, LifecycleEventKind.Escalated, escalated.At, escalated.Actor, escalated.Channel, level));
                    }

                    kind = NotificationKind.Page;

                    // The delay runs from the page, which may have gone out well before this orchestration got here.
                    dueAt = (pagedAt ?? Now).AddMinutes(step.DelayMinutes);
                    context.SetCustomStatus(new LifecycleStatus(LifecyclePhases.Triggered, level, cycle, dueAt));
                    if (await WaitWhileOpenRemindingAsync(plan, dueAt, escalationEarly, level, step.Recipients) is { } changed)
                    {
                        return changed;
                    }
                }
            }

            // Recorded by the activity that tells the team, like an escalation: one activity, not two.
            var exhausted = NewEvent(dueAt is { } last ? At(last) : Now, TimelineEventTypes.EscalationExhausted,
                $"Escalation exhausted after {plan.Repeat + 1} round(s) of {plan.Levels.Count} level(s); telling the whole team", []);
            if ((await NotifyAsync(plan, NotificationKind.Exhausted, null, plan.Team, countsAgainstBudget: true, preceding: exhausted, dueAt: dueAt)).StoppedBy is { } stopped)
            {
                return stopped;
            }

            context.SetCustomStatus(new LifecycleStatus(LifecyclePhases.Exhausted));
            return (await WaitWhileOpenRemindingAsync(plan, until: null, early: TimeSpan.Zero, level: null, plan.Team))!;
        }

        /// <summary>
        /// <see cref="WaitWhileOpenAsync"/>, reminding the level being paged (<paramref name="current"/>) of unfilled
        /// required roles whenever a reminder comes due first: the incident has nobody in command yet, so the people it
        /// is paging are the ones to tell. A reminder that fails after retries stops the reminders, never the paging.
        /// </summary>
        async Task<IncidentState?> WaitWhileOpenRemindingAsync(EscalationPlan plan, DateTimeOffset? until, TimeSpan early, int? level, IReadOnlyList<Recipient> current)
        {
            while (rolesRemindAt is { } remindAt && (until is null || remindAt < until))
            {
                if (await WaitWhileOpenAsync(plan, remindAt, TimeSpan.Zero) is { } changed)
                {
                    return changed;
                }

                try
                {
                    var next = await context.CallActivityAsync<DateTimeOffset?>(
                        CoordinationActivityNames.RemindUnfilledRoles, new UnfilledRolesReminder(incidentId, level, current), StorageRetry);
                    // Always forward in time, so that a reminder series can never spin.
                    rolesRemindAt = next > remindAt ? next : null;
                }
                catch (TaskFailedException e)
                {
                    log.LogError("Incident {IncidentId}: reminding of unfilled roles failed after retries, and stops: {Reason}", incidentId, e.FailureDetails.ErrorMessage);
                    rolesRemindAt = null;
                }
            }

            return await WaitWhileOpenAsync(plan, until, early);
        }

        /// <summary>
        /// Opened in a maintenance window: on the record, but nobody is paged while the window lasts. An incident still
        /// open when it ends is a problem the maintenance did not explain, and escalation starts then.
        /// </summary>
        Task<IncidentState> MaintenanceAsync(EscalationPlan plan, MaintenanceWindow window) => HoldAsync(
            plan,
            window.End,
            LifecyclePhases.Maintenance,
            (TimelineEventTypes.MaintenanceSuppressed,
                $"Opened during maintenance window {window.Id}" + (window.Reason is null ? string.Empty : $" ({window.Reason})") + $": not paging until {window.End:yyyy-MM-dd HH:mm} UTC",
                new() { ["window"] = window.Id, ["start"] = window.Start.ToString("O"), ["end"] = window.End.ToString("O") }),
            (TimelineEventTypes.MaintenanceEnded, $"Maintenance window {window.Id} ended with the incident still open: paging now", new() { ["window"] = window.Id }));

        /// <summary>
        /// Opened while its key was flapping (see <see cref="Opening.Flapping"/>): recorded, and paged only if it is
        /// still open once the flap window has passed.
        /// </summary>
        Task<IncidentState> FlappingAsync(EscalationPlan plan, DateTimeOffset until, int openings) => HoldAsync(
            plan,
            until,
            LifecyclePhases.Flapping,
            (TimelineEventTypes.Flapping,
                $"Flapping: incident {openings} for this alert within the flap window; not paging unless it is still open at {until:yyyy-MM-dd HH:mm:ss} UTC",
                new() { ["openings"] = openings.ToString(), ["until"] = until.ToString("O") }),
            (TimelineEventTypes.FlappingEnded, "Still open after the flap window: paging now", []));

        /// <summary>Records why paging is held, waits until <paramref name="until"/> or a change, and records the end of the hold.</summary>
        async Task<IncidentState> HoldAsync(
            EscalationPlan plan, DateTimeOffset until, string phase,
            (string Type, string Summary, Dictionary<string, string> Data) held,
            (string Type, string Summary, Dictionary<string, string> Data) ended)
        {
            await RecordAsync(held.Type, held.Summary, held.Data);
            context.SetCustomStatus(new LifecycleStatus(phase, NextAt: until));
            if (until > Now && await WaitWhileOpenAsync(plan, until, early: TimeSpan.Zero) is { } changed)
            {
                return changed;
            }

            // A page from here on is due now, not when the incident opened.
            firstPageDueAt = until;
            await RecordAsync(ended.Type, ended.Summary, ended.Data);
            return await ReadAsync(plan);
        }

        /// <summary>Waits out an acknowledgement; when it goes stale without a resolution, re-triggers the incident.</summary>
        async Task<IncidentState> AcknowledgedAsync(EscalationPlan plan, IncidentState state)
        {
            while (state.Status == IncidentStatus.Acknowledged)
            {
                DateTimeOffset? staleAt = plan.AckTimeoutMinutes is { } minutes ? state.AcknowledgedAt!.Value.AddMinutes(minutes) : null;
                context.SetCustomStatus(new LifecycleStatus(LifecyclePhases.Acknowledged, NextAt: staleAt));
                if (staleAt is null || staleAt > Now)
                {
                    if (await WaitForSignalAsync(staleAt, early: TimeSpan.Zero))
                    {
                        state = await ReadAsync(plan);
                        continue;
                    }
                }

                var retrigger = new RetriggerRequest(incidentId, state.AcknowledgedAt!.Value, plan.AckTimeoutMinutes!.Value, NewId(), Now);
                state = await context.CallActivityAsync<IncidentState>(nameof(LifecycleActivities.RetriggerIncident), retrigger, StorageRetry);
                // The row names the re-trigger that last reopened it: this one, unless a resolution got there first.
                if (state.LastRetriggerEventId == retrigger.EventId)
                {
                    Announce(new IncidentTransition(incidentId, retrigger.EventId, LifecycleEventKind.Retriggered, retrigger.At, "system", Channels.System));
                }

                state = await ObserveAsync(plan, state);
            }

            return state;
        }

        /// <summary>
        /// Waits until <paramref name="until"/> (forever when null), less up to <paramref name="early"/>; returns the new
        /// state if it stops being open first.
        /// </summary>
        async Task<IncidentState?> WaitWhileOpenAsync(EscalationPlan plan, DateTimeOffset? until, TimeSpan early)
        {
            while (await WaitForSignalAsync(until, early))
            {
                var state = await ReadAsync(plan);
                if (state.Status != IncidentStatus.Open)
                {
                    return state;
                }
            }

            return null;
        }

        /// <summary>
        /// True when a signal arrived before <paramref name="until"/>; the losing wait is cancelled either way. A timer
        /// that fires up to <paramref name="early"/> before <paramref name="until"/> counts as on time: a page waits out
        /// the rest in its activity (see <see cref="DueTime"/>). Anything else that acts on time passes zero.
        /// </summary>
        async Task<bool> WaitForSignalAsync(DateTimeOffset? until, TimeSpan early)
        {
            var armAt = until;
            while (true)
            {
                using var cancel = new CancellationTokenSource();
                var signal = context.WaitForExternalEvent<LifecycleSignal>(LifecycleSignals.Name, cancel.Token);
                if (until is not { } due)
                {
                    await signal;
                    return true;
                }

                var timer = context.CreateTimer(armAt!.Value.UtcDateTime, cancel.Token);
                var winner = await Task.WhenAny(signal, timer);
                cancel.Cancel();
                if (winner == signal)
                {
                    return true;
                }

                // Storage queues take visibility delays in whole seconds, so a durable timer can fire up to a second
                // early; acting early breaks the policy as surely as acting late. Re-armed past the due time, it fires
                // once more, after it, rather than again at once for a remainder under a second.
                if (Now >= due - early)
                {
                    return false;
                }

                armAt = DueTime.Rearm(due);
            }
        }

        async Task<IncidentState> ReadAsync(EscalationPlan plan)
        {
            unreadSinceHandOver = false;
            var state = await context.CallActivityAsync<IncidentState>(nameof(LifecycleActivities.ReadIncidentState), incidentId, StorageRetry);
            return await ObserveAsync(plan, state);
        }

        /// <summary>Takes in a state just read: applies a source's resolve, and announces what the row shows was done.</summary>
        async Task<IncidentState> ObserveAsync(EscalationPlan plan, IncidentState state)
        {
            state = await ApplySourceResolveAsync(plan, state);

            // Acknowledgements and resolutions are recorded by whoever made them (a responder's request, the source's
            // resolve) under ids derived from their times on the row. Every one of them is on a row this orchestration
            // reads (re-triggering, the one thing that clears an acknowledgement, happens here, after reading it), so
            // this is where they are published. An acknowledgement a resolution overtook is still on the row: first.
            if (state.AcknowledgedAt is { } acknowledgedAt)
            {
                Announce(new IncidentTransition(
                    incidentId, IncidentResponder.EventIdOf(TimelineEventTypes.IncidentAcknowledged, acknowledgedAt), LifecycleEventKind.Acknowledged,
                    acknowledgedAt, state.AcknowledgedBy!, state.AcknowledgedVia ?? Channels.System));
            }

            if (state is { Status: IncidentStatus.Resolved, ResolvedAt: { } resolvedAt })
            {
                Announce(new IncidentTransition(
                    incidentId, IncidentResponder.EventIdOf(TimelineEventTypes.IncidentResolved, resolvedAt), LifecycleEventKind.Resolved,
                    resolvedAt, state.ResolvedBy!, state.ResolvedVia ?? Channels.System));
            }

            return state;
        }

        /// <summary>
        /// Queues a recorded transition for publishing, unless events are off or its event id was queued before. Events
        /// go out one after another on a chain of their own: in order, and never holding up a page or a timer, even while
        /// the broker is down and the chain sits in retries.
        /// </summary>
        void Announce(IncidentTransition transition)
        {
            if (events is { } plan && announced.Add(transition.EventId))
            {
                publishing = PublishAfterAsync(publishing, transition, plan);
            }
        }

        Task PublishAfterAsync(Task previous, IncidentTransition transition, EventPublishingPlan plan) =>
            TransitionPublishing.AfterAsync(previous, context, transition, plan, log, (summary, data) => RecordAsync(TimelineEventTypes.EventPublishFailed, summary, data));

        /// <summary>A source's "resolved" resolves the incident when the policy says so; otherwise it is noted once.</summary>
        async Task<IncidentState> ApplySourceResolveAsync(EscalationPlan plan, IncidentState state)
        {
            if (state.SourceResolvedAt is not { } resolvedAt || state.Status == IncidentStatus.Resolved || sourceResolveHandled == resolvedAt)
            {
                return state;
            }

            sourceResolveHandled = resolvedAt;
            if (plan.AutoResolve)
            {
                return await context.CallActivityAsync<IncidentState>(
                    nameof(LifecycleActivities.ResolveFromSource), new SourceResolveRequest(incidentId, resolvedAt), StorageRetry);
            }

            await RecordAsync(TimelineEventTypes.AutoResolveSkipped,
                $"The source reported resolved; policy {plan.PolicyId} does not auto-resolve, so the incident stays {state.Status.ToString().ToLowerInvariant()}", []);
            return state;
        }

        /// <summary>
        /// Returns when the notification went out (null when nobody was emailed). <paramref name="preceding"/> is
        /// recorded with the emails, or alone when nobody is left to email. <paramref name="sentAt"/> says it went out
        /// already (the opener's first page): it is counted, and no activity runs. <paramref name="dueAt"/> is when a
        /// page was due, so that a late one says so. A page (revision 3 on) is not sent, nor its preceding event
        /// recorded, when the incident is found no longer open: then the state that stopped it is returned.
        /// </summary>
        async Task<Notified> NotifyAsync(
            EscalationPlan plan, NotificationKind kind, int? level, IReadOnlyList<Recipient> recipients, bool countsAgainstBudget,
            TimelineEvent? preceding = null, string? notificationId = null, DateTimeOffset? sentAt = null, DateTimeOffset? dueAt = null)
        {
            var allowed = recipients;
            var budgetBefore = (emailsSent, paged.Count);
            if (countsAgainstBudget)
            {
                allowed = WithinBudget(plan, recipients);
                if (allowed.Count < recipients.Count && !budgetNoted)
                {
                    budgetNoted = true;
                    await RecordAsync(TimelineEventTypes.NotificationSuppressed,
                        $"Notification budget of {plan.MaxNotifications} emails reached; no further pages for this incident",
                        new() { ["budget"] = plan.MaxNotifications.ToString() });
                }
            }

            if (allowed.Count == 0)
            {
                if (preceding is not null)
                {
                    await AppendAsync(preceding);
                }

                return default;
            }

            if (sentAt is not null)
            {
                return new(sentAt, null);
            }

            try
            {
                // A tick after the preceding event, so that the timeline reads escalated, then emailed.
                var at = preceding is null ? Now : preceding.At.AddTicks(1);
                var request = new NotifyRequest(incidentId, notificationId ?? NewId(), kind, level, allowed, at, preceding, dueAt);
                if (!pagesCheckTheIncident || !NotificationMessage.IsPaging(kind))
                {
                    return new(await context.CallActivityAsync<DateTimeOffset?>(nameof(LifecycleActivities.NotifyRecipients), request, EmailRetry), null);
                }

                while (true)
                {
                    var outcome = await context.CallActivityAsync<PageOutcome>(
                        nameof(LifecycleActivities.PageIfOpen), new PageRequest(request, sourceResolveHandled), EmailRetry);
                    if (outcome.Changed is not { } changed)
                    {
                        return new(outcome.SentAt, null);
                    }

                    // Taking in a source's resolve either resolves the incident or notes it, and then the page is due.
                    if (await ObserveAsync(plan, changed) is { Status: not IncidentStatus.Open } stopped)
                    {
                        // Nobody was emailed: the budget is as it was, and nobody is told of a resolution they never heard of.
                        (emailsSent, var pagedBefore) = budgetBefore;
                        paged.RemoveRange(pagedBefore, paged.Count - pagedBefore);
                        return new(null, stopped);
                    }
                }
            }
            catch (TaskFailedException e)
            {
                if (preceding is not null)
                {
                    await AppendAsync(preceding);
                }

                // A mail outage must not end the incident's lifecycle: escalation goes on, and the gap is on the record.
                log.LogError("Notifying {Count} people about incident {IncidentId} failed after retries: {Reason}", allowed.Count, incidentId, e.FailureDetails.ErrorMessage);
                await RecordAsync(TimelineEventTypes.NotificationFailed,
                    $"Email to {string.Join(", ", allowed.Select(r => r.Name))} failed after retries: {e.FailureDetails.ErrorMessage}", []);
                return default;
            }
        }

        /// <summary>When a notification went out (null: to nobody), or the state that stopped a page (null: none did).</summary>
        readonly record struct Notified(DateTimeOffset? At, IncidentState? StoppedBy);

        /// <summary>
        /// Takes the recipients the notification budget still allows, counts them against it and remembers them as
        /// paged. Bounded per incident: a flapping or long-ignored incident must not turn into an email storm.
        /// </summary>
        List<Recipient> WithinBudget(EscalationPlan plan, IReadOnlyList<Recipient> recipients)
        {
            var allowed = recipients.Take(Math.Max(0, plan.MaxNotifications - emailsSent)).ToList();
            emailsSent += allowed.Count;
            foreach (var recipient in allowed.Where(r => paged.All(p => p.PersonId != r.PersonId)))
            {
                paged.Add(recipient);
            }

            return allowed;
        }

        async Task<TimelineEvent> RecordAsync(string type, string summary, Dictionary<string, string> data)
        {
            var recorded = NewEvent(type, summary, data);
            await AppendAsync(recorded);
            return recorded;
        }

        TimelineEvent NewEvent(string type, string summary, Dictionary<string, string> data) => NewEvent(Now, type, summary, data);

        TimelineEvent NewEvent(DateTimeOffset at, string type, string summary, Dictionary<string, string> data) =>
            new(NewId(), at, type, "system", Channels.System, summary, data.Count == 0 ? null : data);

        /// <summary>Now, or <paramref name="due"/> when a timer fired a little early: what happens at a due time is on the record at it.</summary>
        DateTimeOffset At(DateTimeOffset due) => Now > due ? Now : due;

        Task AppendAsync(TimelineEvent recorded) =>
            context.CallActivityAsync(nameof(LifecycleActivities.AppendTimeline), new TimelineEntry(incidentId, recorded), StorageRetry);
    }
}
