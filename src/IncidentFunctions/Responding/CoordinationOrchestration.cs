using IncidentFunctions.Lifecycle;
using IncidentFunctions.LifecycleEvents;
using IncidentFunctions.Model;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Responding;

/// <summary>
/// One orchestration per incident (instance id <c>{incidentId}:coordination</c>), beside the paging one: it delivers
/// people's changes (each <see cref="IChangeDelivery"/> for each recorded event), publishes their lifecycle events, and
/// sends the coordination reminders (required roles unfilled, tasks overdue, updates overdue) on durable timers.
/// <list type="bullet">
/// <item>Each round looks at the incident (one activity: read the row and tasks, plan, send what is due), delivers the
/// changes it has taken in, then waits for the next reminder's time or the next change, whichever comes first.</item>
/// <item>The row is the source of truth: every look reads it, and the changes whose signals were lost (raised while
/// the run was being created) are on it (the last one whole, earlier ones as <see cref="RecentChanges"/>), delivered at
/// the first look. Changes are delivered once per run (<see cref="DeliveredRevisions"/>), however often they are
/// signalled.</item>
/// <item>Reminders are sent once per slot: their notification ids derive from the incident, kind, subject and slot time
/// (see <see cref="Coordination.Reminders"/>), and the pager sends each recipient a notification once.</item>
/// <item>It ends when the incident's stage is final (closed, declined, merged); a later change starts it again. It
/// continues as new every <see cref="RoundsPerExecution"/> rounds, so its history stays short.</item>
/// </list>
/// Deterministic: time and ids come from the context, all I/O is in activities with their retries declared here.
/// </summary>
public static class CoordinationOrchestration
{
    /// <summary>The orchestrator function's name, which <see cref="DurableCoordination"/> starts.</summary>
    public const string Name = nameof(CoordinationOrchestrator);

    /// <summary>The external event a change is raised as; its data is the <see cref="CoordinationChange"/>.</summary>
    public const string Changed = "Changed";

    public const int RoundsPerExecution = 20;

    /// <summary>How long a run waits before looking again after a look failed for good (storage down for minutes).</summary>
    static readonly TimeSpan AfterFailedLook = TimeSpan.FromMinutes(1);

    /// <summary>A change that only asks the run to look again (an acknowledgement): nothing to deliver.</summary>
    public static CoordinationChange Look(string incidentId) => new(incidentId, 0, [], []);

    public static bool HasDelivery(CoordinationChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return change.Revision > 0 && (change.Events.Count > 0 || change.Transitions.Count > 0);
    }

    /// <summary>The run; returns what it delivered, which <see cref="DurableCoordination"/> reads when a run ended under a signal.</summary>
    [Function(nameof(CoordinationOrchestrator))]
    public static Task<DeliveredRevisions> CoordinationOrchestrator([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var input = context.GetInput<CoordinationInput>()
            ?? throw new InvalidOperationException("The coordination orchestration needs a CoordinationInput.");
        return new CoordinationRun(context, input).RunAsync();
    }

    /// <summary>
    /// The stage a lifecycle event says the response is in: closing and merging name theirs, a stage change its new stage
    /// when its data says it ("to" or "stage"); otherwise null, and the event carries the row's stage when published.
    /// </summary>
    public static Stage? StageAfter(LifecycleEventKind kind, IReadOnlyDictionary<string, string>? data) => kind switch
    {
        LifecycleEventKind.Closed => Stage.Closed,
        LifecycleEventKind.Merged => Stage.Merged,
        LifecycleEventKind.StageChanged => StageIn(data, "to") ?? StageIn(data, "stage"),
        _ => null,
    };

    static Stage? StageIn(IReadOnlyDictionary<string, string>? data, string key) =>
        data?.GetValueOrDefault(key) is { } text
        && Enum.TryParse<Stage>(text.Replace("-", string.Empty, StringComparison.Ordinal), ignoreCase: true, out var stage)
        && Enum.IsDefined(stage) ? stage : null;

    /// <summary>The state of one execution, rebuilt identically on every replay from its history.</summary>
    sealed class CoordinationRun(TaskOrchestrationContext context, CoordinationInput input)
    {
        readonly string incidentId = input.IncidentId;
        readonly ILogger log = context.CreateReplaySafeLogger(Name);
        readonly Queue<CoordinationChange> pending = new(input.Changes);

        /// <summary>The last lifecycle event queued for publishing; each waits for the one before it.</summary>
        Task publishing = Task.CompletedTask;

        DeliveredRevisions delivered = input.Delivered;
        DateTimeOffset? since = input.Since;

        /// <summary>When the run first began: the changes recorded from a little before then are its to deliver.</summary>
        readonly DateTimeOffset startedAt = input.StartedAt ?? context.CurrentUtcDateTime;

        /// <summary>How to publish, as the last look said (null: events are off).</summary>
        EventPublishingPlan? events;

        public async Task<DeliveredRevisions> RunAsync()
        {
            DateTimeOffset? timerDueAt = null;
            for (var round = 0; round < RoundsPerExecution; round++)
            {
                var look = await LookAsync(timerDueAt);
                if (look is not null)
                {
                    events = look.Events;
                    since = look.PlannedAt;
                    if (look.Missed is { } missed)
                    {
                        pending.Enqueue(missed);
                    }

                    foreach (var lost in look.MissedChanges ?? [])
                    {
                        pending.Enqueue(lost);
                    }

                    // Delivered after a look, so that publishing knows whether events are on.
                    while (pending.TryDequeue(out var change))
                    {
                        await DeliverAsync(change);
                    }

                    if (look.Final)
                    {
                        await publishing;
                        context.SetCustomStatus(new CoordinationStatus(null, delivered, look.PlannedAt));
                        return delivered;
                    }
                }

                var nextAt = look is null ? context.CurrentUtcDateTime + AfterFailedLook : look.NextAt;
                context.SetCustomStatus(new CoordinationStatus(nextAt, delivered, look?.PlannedAt));
                var signal = await WaitAsync(nextAt);
                if (signal is null)
                {
                    timerDueAt = nextAt;
                }
                else
                {
                    pending.Enqueue(signal);
                    timerDueAt = null;
                }
            }

            await publishing;
            context.ContinueAsNew(new CoordinationInput(incidentId, input.Revision, delivered, since, [.. pending], startedAt), preserveUnprocessedEvents: true);
            return delivered;
        }

        /// <summary>Reads the incident, sends the reminders due; null when that failed after retries (the next look tries again).</summary>
        async Task<CoordinationRound?> LookAsync(DateTimeOffset? timerDueAt)
        {
            try
            {
                return await context.CallActivityAsync<CoordinationRound>(
                    nameof(CoordinationActivities.Remind), new RemindRequest(incidentId, delivered, since, timerDueAt, startedAt - RecentChanges.CreationWindow), IncidentOrchestration.EmailRetry);
            }
            catch (TaskFailedException e)
            {
                // Reminders wait for the next look; the coordination must outlive an outage.
                log.LogError("Coordination of incident {IncidentId}: looking and reminding failed after retries: {Reason}", incidentId, e.FailureDetails.ErrorMessage);
                return null;
            }
        }

        async Task DeliverAsync(CoordinationChange change)
        {
            if (!HasDelivery(change) || delivered.Contains(change.Revision))
            {
                return;
            }

            try
            {
                await context.CallActivityAsync(nameof(CoordinationActivities.DeliverChange), change, IncidentOrchestration.EmailRetry);
            }
            catch (TaskFailedException e)
            {
                // The change is on the row and the timeline; what it would have sent is not, and the record says so.
                log.LogError("Coordination of incident {IncidentId}: delivering change {Revision} failed after retries: {Reason}", incidentId, change.Revision, e.FailureDetails.ErrorMessage);
                await context.CallActivityAsync(
                    nameof(LifecycleActivities.AppendTimeline),
                    new TimelineEntry(incidentId, new TimelineEvent(
                        context.NewGuid().ToString("N"), context.CurrentUtcDateTime, TimelineEventTypes.NotificationFailed, "system", Channels.System,
                        $"Could not send what change {change.Revision} asked for after retries: {e.FailureDetails.ErrorMessage}",
                        new Dictionary<string, string> { ["revision"] = change.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture) })),
                    IncidentOrchestration.StorageRetry);
            }

            foreach (var transition in change.Transitions)
            {
                var data = change.Events.FirstOrDefault(e => e.Id == transition.EventId)?.Data;
                Announce(new IncidentTransition(
                    incidentId, transition.EventId, transition.Kind, transition.At, transition.Actor, transition.Channel,
                    Stage: StageAfter(transition.Kind, data), Details: data));
            }

            delivered = delivered.With(change.Revision);
        }

        /// <summary>
        /// Queues a transition for publishing through the lifecycle's publishing activity (same message id as the timeline
        /// event, so a retry is a duplicate the topic drops). In order, and never holding up a reminder or a delivery.
        /// </summary>
        void Announce(IncidentTransition transition)
        {
            if (events is { } plan)
            {
                publishing = PublishAfterAsync(publishing, transition, plan);
            }
        }

        Task PublishAfterAsync(Task previous, IncidentTransition transition, EventPublishingPlan plan) =>
            TransitionPublishing.AfterAsync(previous, context, transition, plan, log, (summary, data) => context.CallActivityAsync(
                nameof(LifecycleActivities.AppendTimeline),
                new TimelineEntry(incidentId, new TimelineEvent(
                    context.NewGuid().ToString("N"), context.CurrentUtcDateTime, TimelineEventTypes.EventPublishFailed, "system", Channels.System, summary, data)),
                IncidentOrchestration.StorageRetry));

        /// <summary>The next change, or null when <paramref name="until"/> came first (never, when null).</summary>
        async Task<CoordinationChange?> WaitAsync(DateTimeOffset? until)
        {
            using var cancel = new CancellationTokenSource();
            var signal = context.WaitForExternalEvent<CoordinationChange>(Changed, cancel.Token);
            if (until is not { } due)
            {
                return await signal;
            }

            var timer = context.CreateTimer(due.UtcDateTime, cancel.Token);
            var winner = await Task.WhenAny(signal, timer);
            cancel.Cancel();
            return winner == signal ? await signal : null;
        }
    }
}
