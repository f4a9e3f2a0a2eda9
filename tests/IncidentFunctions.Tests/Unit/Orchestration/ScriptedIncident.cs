using System.Text.Json;
using IncidentFunctions.Lifecycle;
using IncidentFunctions.LifecycleEvents;
using IncidentFunctions.Model;
using IncidentFunctions.Paging;
using IncidentFunctions.Policy;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace IncidentFunctions.Tests.Unit.Orchestration;

/// <summary>
/// What the scripted BeginIncident reports besides the plan: a hold the incident opened under, whether the alert
/// processor claimed (<see cref="FirstPagedAt"/>) and sent (<see cref="FirstPageSent"/>) the first page, and how
/// lifecycle events are published (null: off).
/// </summary>
public sealed record ScriptedOpening
{
    public MaintenanceWindow? Maintenance { get; init; }

    public DateTimeOffset? FlappingUntil { get; init; }

    /// <summary>
    /// Instead of <see cref="FlappingUntil"/>: flapping for this long from when the orchestration first reads the
    /// incident, so that the window is not over before a cold test host (its first orchestration can take a second to
    /// process an activity's result) has looked at it.
    /// </summary>
    public TimeSpan? FlappingFor { get; init; }

    public int? FlapCount { get; init; }

    public DateTimeOffset? FirstPagedAt { get; init; }

    public bool FirstPageSent { get; init; }

    public EventPublishingPlan? Events { get; init; }

    /// <summary>The triage's RequiredRolesWithinMinutes: when unfilled roles first remind the level being paged; null: never.</summary>
    public double? RequiredRolesWithinMinutes { get; init; }

    /// <summary>How long after a roles reminder the scripted RemindUnfilledRoles asks for the next (taskReminderMinutes).</summary>
    public double RolesEveryMinutes { get; init; } = TestEscalation.Long;

    /// <summary>
    /// The opener hands the start over in the orchestration's input, as IncidentOpener does once its first page
    /// reached everyone: then BeginIncident must never be called.
    /// </summary>
    public bool HandedOver { get; init; }

    /// <summary>The orchestration code's revision the instance starts under (see <see cref="IncidentLifecycleInput.Current"/>).</summary>
    public int Revision { get; init; } = IncidentLifecycleInput.Current;
}

/// <summary>
/// One incident as its orchestration sees it through the scripted activities: a stored state the test changes the
/// way <see cref="IncidentResponder"/> and the alert processor do (store first, then signal), and a log of every
/// activity call, in the order they arrived. The views of the log count what a repeated call would not repeat in
/// production (the same notification, timeline event or re-trigger id). Times in the log are the orchestration's
/// (the times it put in its requests), so assertions about delays hold however slowly the machine runs.
/// </summary>
public sealed class ScriptedIncident
{
    public const string Integration = "scripted";

    /// <summary>How long any wait may take; the tests themselves take milliseconds, this is for a loaded machine.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    readonly object gate = new();
    readonly List<(string Activity, object? Input, DateTimeOffset Arrived)> calls = [];
    readonly List<(Func<NotifyRequest, bool> Match, Func<ScriptedIncident, Task> Respond)> responses = [];
    readonly DurableTaskClient client;
    TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    IncidentState state;
    bool started;

    internal ScriptedIncident(string id, EscalationPlan plan, ScriptedOpening opening, DurableTaskClient client)
    {
        Id = id;
        Plan = plan;
        Opening = opening;
        this.client = client;
        state = new IncidentState(id, IncidentStatus.Open, Integration, null, null, null, FlappingUntil: opening.FlappingUntil, FlapCount: opening.FlapCount);
    }

    public string Id { get; }

    public EscalationPlan Plan { get; }

    public ScriptedOpening Opening { get; }

    /// <summary>When set, every PublishLifecycleEvent attempt fails with this message, as with the broker down.</summary>
    public string? BrokerFailure { get; set; }

    public IncidentState State
    {
        get
        {
            lock (gate)
            {
                return state;
            }
        }
    }

    /// <summary>
    /// Every notification: who was notified, of what, at which level, at what orchestration time. Activities run at
    /// least once, and the pager sends a notification once per id, so a repeated call with the same id counts once.
    /// </summary>
    public IReadOnlyList<NotifyRequest> Notifications => Inputs<NotifyRequest>(n => n.NotificationId);

    /// <summary>Notifications as (kind, level, person ids joined by commas): easy to compare as a sequence.</summary>
    public IReadOnlyList<(NotificationKind Kind, int? Level, string To)> Notified =>
        [.. Notifications.Select(n => (n.Kind, n.Level, string.Join(",", n.Recipients.Select(r => r.PersonId))))];

    /// <summary>
    /// What the orchestration recorded on the timeline, in order: AppendTimeline's events, and the event a notification
    /// records before it emails (<see cref="NotifyRequest.Preceding"/>, an escalation), as the real activity does. The
    /// timeline stores an event once per id.
    /// </summary>
    public IReadOnlyList<TimelineEvent> Recorded
    {
        get
        {
            lock (gate)
            {
                return [.. calls
                    .Select(c => c.Input switch { TimelineEvent e => e, NotifyRequest { Preceding: { } p } => p, _ => null })
                    .OfType<TimelineEvent>()
                    .DistinctBy(e => e.Id)];
            }
        }
    }

    /// <summary>Every PublishLifecycleEvent call, retries included: whether a transition is published once is the test's question.</summary>
    public IReadOnlyList<IncidentTransition> Published => Inputs<IncidentTransition>(null);

    public IReadOnlyList<RetriggerRequest> Retriggers => Inputs<RetriggerRequest>(r => r.EventId);

    public IReadOnlyList<SourceResolveRequest> SourceResolves => Inputs<SourceResolveRequest>(r => r.SourceResolvedAt.ToString("O"));

    public int Reads => Count(nameof(LifecycleActivities.ReadIncidentState));

    /// <summary>Every roles reminder the orchestration asked for, with when it arrived (real time, as the incident opened).</summary>
    public IReadOnlyList<(UnfilledRolesReminder Reminder, DateTimeOffset At)> RolesReminders
    {
        get
        {
            lock (gate)
            {
                return [.. calls.Where(c => c.Activity == CoordinationActivityNames.RemindUnfilledRoles).Select(c => ((UnfilledRolesReminder)c.Input!, c.Arrived))];
            }
        }
    }

    /// <summary>
    /// The roles reminders asked for before and after the first notification that matches <paramref name="notification"/>,
    /// in order: which level a reminder names depends on the order of events, not on how fast the machine ran them.
    /// </summary>
    public (IReadOnlyList<UnfilledRolesReminder> Before, IReadOnlyList<UnfilledRolesReminder> After) RolesRemindersAround(Func<NotifyRequest, bool> notification)
    {
        lock (gate)
        {
            var at = calls.FindIndex(c => c.Input is NotifyRequest n && notification(n));
            var reminders = calls.Select((c, i) => (c, i)).Where(x => x.c.Activity == CoordinationActivityNames.RemindUnfilledRoles).ToList();
            return at < 0
                ? ([.. reminders.Select(x => (UnfilledRolesReminder)x.c.Input!)], [])
                : ([.. reminders.Where(x => x.i < at).Select(x => (UnfilledRolesReminder)x.c.Input!)], [.. reminders.Where(x => x.i > at).Select(x => (UnfilledRolesReminder)x.c.Input!)]);
        }
    }

    /// <summary>When the incident opened, as its start told the orchestration.</summary>
    public DateTimeOffset OpenedAt { get; private set; }

    public int Begins => Count(nameof(LifecycleActivities.BeginIncident));

    /// <summary>Activity calls of any kind so far, retries included: what each costs is a queue round trip and a history episode.</summary>
    public int Activities
    {
        get
        {
            lock (gate)
            {
                return calls.Count;
            }
        }
    }

    /// <summary>The activity calls so far, one line each: what a failing wait prints.</summary>
    public string Story
    {
        get
        {
            lock (gate)
            {
                return string.Join(Environment.NewLine, calls.Select(c => $"{c.Arrived:HH:mm:ss.fff} " + c.Input switch
                {
                    NotifyRequest n => $"{c.Activity} {n.Kind} level {n.Level} to {string.Join(",", n.Recipients.Select(r => r.PersonId))} at {n.At:O}" +
                        (n.Preceding is { } p ? $" after {p.Type}" : string.Empty),
                    PageRequest p => $"{c.Activity} skipped {p.Notify.Kind} level {p.Notify.Level}: the incident had changed",
                    TimelineEvent e => $"{c.Activity} {e.Type} at {e.At:O}",
                    IncidentTransition t => $"{c.Activity} {t.Kind}",
                    _ => c.Activity,
                }));
            }
        }
    }

    /// <summary>Starts the incident's orchestration, as the alert processor does once it has stored the incident.</summary>
    public async Task StartAsync()
    {
        lock (gate)
        {
            started = true;
        }

        await client.ScheduleNewOrchestrationInstanceAsync(
            nameof(IncidentOrchestration.IncidentOrchestrator),
            new IncidentLifecycleInput(Id, Opening.HandedOver ? StartOf() : null, Opening.Revision),
            new StartOrchestrationOptions(Id));
    }

    /// <summary>Someone acknowledges: stored on the incident, then the orchestration is signalled. Returns the acknowledgement's time.</summary>
    public async Task<DateTimeOffset> AcknowledgeAsync(string by, string via = Channels.Api)
    {
        var at = DateTimeOffset.UtcNow;
        Change(s => s.Status == IncidentStatus.Open
            ? s with { Status = IncidentStatus.Acknowledged, AcknowledgedAt = at, AcknowledgedBy = by, AcknowledgedVia = via }
            : throw new InvalidOperationException($"Only an open incident is acknowledged here; {Id} is {s.Status}."));
        await SignalAsync(new LifecycleSignal(SignalKind.Acknowledge, by, via, at));
        return at;
    }

    /// <summary>Someone resolves: stored on the incident, then the orchestration is signalled.</summary>
    public Task ResolveAsync(string by, string via = Channels.Api)
    {
        var at = DateTimeOffset.UtcNow;
        Change(s => s.Status != IncidentStatus.Resolved
            ? s with { Status = IncidentStatus.Resolved, ResolvedAt = at, ResolvedBy = by, ResolvedVia = via }
            : throw new InvalidOperationException($"{Id} is resolved already."));
        return SignalAsync(new LifecycleSignal(SignalKind.Resolve, by, via, at));
    }

    /// <summary>The source reports the problem gone, as the alert processor does: the first report's time is kept.</summary>
    public Task ResolveAtSourceAsync()
    {
        var at = DateTimeOffset.UtcNow;
        Change(s => s with { SourceResolvedAt = s.SourceResolvedAt ?? at });
        return SignalAsync(new LifecycleSignal(SignalKind.SourceResolved, Integration, Channels.Source, at));
    }

    /// <summary>An acknowledgement stored on the incident whose signal has not arrived (late, or lost as the instance was created).</summary>
    public void AcknowledgeUnsignalled(string by) => Change(s => s with
    {
        Status = IncidentStatus.Acknowledged, AcknowledgedAt = DateTimeOffset.UtcNow, AcknowledgedBy = by, AcknowledgedVia = Channels.Api,
    });

    /// <summary>The source's resolve stored on the incident with its signal lost, as when it raced the instance's creation.</summary>
    public void ResolveAtSourceUnsignalled() => Change(s => s with { SourceResolvedAt = s.SourceResolvedAt ?? DateTimeOffset.UtcNow });

    /// <summary>
    /// Raises the orchestration's signal; on its own (nothing changed) it is a stray or repeated signal. Before the
    /// orchestration starts nothing is raised: Durable Functions discards an event for an instance that does not exist.
    /// </summary>
    public Task SignalAsync(LifecycleSignal signal)
    {
        lock (gate)
        {
            if (!started)
            {
                return Task.CompletedTask;
            }
        }

        return client.RaiseEventAsync(Id, LifecycleSignals.Name, signal);
    }

    /// <summary>
    /// Runs <paramref name="respond"/> inside the first NotifyRecipients call that matches, before it returns: a person
    /// who acts the moment the email arrives. It makes a response land before the orchestration's next timer, however
    /// short, without any race with the test.
    /// </summary>
    public void WhenNotified(Func<NotifyRequest, bool> match, Func<ScriptedIncident, Task> respond)
    {
        lock (gate)
        {
            responses.Add((match, respond));
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds; it is checked again after every activity call and change.</summary>
    public async Task UntilAsync(Func<ScriptedIncident, bool> condition, string what)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        while (true)
        {
            Task next;
            lock (gate)
            {
                if (condition(this))
                {
                    return;
                }

                next = changed.Task;
            }

            try
            {
                await next.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out after {Deadline} waiting for {what}. {await DescribeAsync()}");
            }
        }
    }

    /// <summary>Waits until the orchestration's custom status is in <paramref name="phase"/> (and at <paramref name="level"/>, if given).</summary>
    public async Task<LifecycleStatus> PhaseAsync(string phase, int? level = null)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        while (!deadline.IsCancellationRequested)
        {
            var instance = await client.GetInstanceAsync(Id, getInputsAndOutputs: true);
            if (instance?.SerializedCustomStatus is { } json && JsonSerializer.Deserialize<LifecycleStatus>(json, JsonDefaults.Options) is { } status &&
                status.Phase == phase && (level is null || status.Level == level))
            {
                return status;
            }

            if (instance?.IsCompleted == true)
            {
                break;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"{Id} never reached phase '{phase}'{(level is null ? string.Empty : $" at level {level}")}. {await DescribeAsync()}");
    }

    /// <summary>Waits for the orchestration to finish; afterwards no activity runs for this incident again.</summary>
    public async Task<OrchestrationMetadata> CompletedAsync()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        try
        {
            var done = await client.WaitForInstanceCompletionAsync(Id, getInputsAndOutputs: true, deadline.Token);
            Assert.True(done.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"{Id} ended {done.RuntimeStatus}: {done.FailureDetails}");
            return done;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Id} did not complete. {await DescribeAsync()}");
        }
    }

    internal IncidentStart Begin()
    {
        Log(nameof(LifecycleActivities.BeginIncident), null);
        if (Opening.FlappingFor is { } flapping)
        {
            Change(s => s.FlappingUntil is null ? s with { FlappingUntil = DateTimeOffset.UtcNow + flapping } : s);
        }

        return StartOf();
    }

    IncidentStart StartOf()
    {
        var triage = new TriageResult("test-1", "checkout", "Checkout", "platform", 1, Priority.P1, "default", Plan, Opening.Maintenance, Opening.RequiredRolesWithinMinutes);
        lock (gate)
        {
            OpenedAt = OpenedAt == default ? DateTimeOffset.UtcNow : OpenedAt;
        }

        return new IncidentStart(triage, State, Opening.Events, OpenedAt, Opening.FirstPagedAt, Opening.FirstPageSent);
    }

    /// <summary>As the real activity: reminds while the incident is open, and asks again after <see cref="ScriptedOpening.RolesEveryMinutes"/>.</summary>
    internal DateTimeOffset? RemindRoles(UnfilledRolesReminder request)
    {
        Log(CoordinationActivityNames.RemindUnfilledRoles, request);
        return State.Status == IncidentStatus.Open ? DateTimeOffset.UtcNow.AddMinutes(Opening.RolesEveryMinutes) : null;
    }

    internal IncidentState Read()
    {
        Log(nameof(LifecycleActivities.ReadIncidentState), null);
        return State;
    }

    /// <summary>As <see cref="IncidentResponder.RetriggerAsync"/>: only the acknowledgement the request names is undone.</summary>
    internal IncidentState Retrigger(RetriggerRequest request)
    {
        Log(nameof(LifecycleActivities.RetriggerIncident), request);
        return Change(s => s.Status == IncidentStatus.Acknowledged && s.AcknowledgedAt == request.AcknowledgedAt
            ? s with { Status = IncidentStatus.Open, AcknowledgedAt = null, AcknowledgedBy = null, AcknowledgedVia = null, LastRetriggerEventId = request.EventId }
            : s);
    }

    internal IncidentState ResolveFromSource(SourceResolveRequest request)
    {
        Log(nameof(LifecycleActivities.ResolveFromSource), request);
        return Change(s => s.Status == IncidentStatus.Resolved
            ? s
            : s with { Status = IncidentStatus.Resolved, ResolvedAt = request.SourceResolvedAt, ResolvedBy = Integration, ResolvedVia = Channels.Source });
    }

    internal Task Append(TimelineEvent recorded)
    {
        Log(nameof(LifecycleActivities.AppendTimeline), recorded);
        return Task.CompletedTask;
    }

    /// <summary>
    /// As the real PageIfOpen: pages (as <see cref="NotifyAsync"/>) while the incident is open and shows no source's
    /// resolve but the one the request says was seen; otherwise logs the request as skipped and returns the state.
    /// </summary>
    internal async Task<PageOutcome> PageIfOpenAsync(PageRequest request)
    {
        var found = State;
        if (found.Status == IncidentStatus.Open && (found.SourceResolvedAt is null || found.SourceResolvedAt == request.SourceResolveSeen))
        {
            return new PageOutcome(await NotifyAsync(request.Notify, nameof(LifecycleActivities.PageIfOpen)), null);
        }

        Log(nameof(LifecycleActivities.PageIfOpen), request);
        return new PageOutcome(null, found);
    }

    /// <summary>Pages the orchestration checked the incident for and did not send, because it had changed.</summary>
    public IReadOnlyList<PageRequest> SkippedPages => Inputs<PageRequest>(null);

    /// <summary>Logs the notification, lets a matching response act, and reports it sent at the time it asked for.</summary>
    internal async Task<DateTimeOffset?> NotifyAsync(NotifyRequest request, string activity = nameof(LifecycleActivities.NotifyRecipients))
    {
        Func<ScriptedIncident, Task>? respond;
        lock (gate)
        {
            var index = responses.FindIndex(r => r.Match(request));
            respond = index < 0 ? null : responses[index].Respond;
            if (index >= 0)
            {
                responses.RemoveAt(index);
            }
        }

        Log(activity, request);
        if (respond is not null)
        {
            await respond(this);
        }

        return request.At;
    }

    internal Task Publish(IncidentTransition transition)
    {
        Log(nameof(LifecycleEventActivities.PublishLifecycleEvent), transition);
        return BrokerFailure is { } failure ? throw new InvalidOperationException(failure) : Task.CompletedTask;
    }

    IncidentState Change(Func<IncidentState, IncidentState> change)
    {
        lock (gate)
        {
            state = change(state);
            Pulse();
            return state;
        }
    }

    void Log(string activity, object? input)
    {
        lock (gate)
        {
            calls.Add((activity, input, DateTimeOffset.UtcNow));
            Pulse();
        }
    }

    /// <summary>Wakes every waiter; called under the lock.</summary>
    void Pulse()
    {
        var woken = changed;
        changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        woken.SetResult();
    }

    /// <summary>The inputs of one activity's calls, in order; with <paramref name="idOf"/>, the first call per id.</summary>
    List<T> Inputs<T>(Func<T, string>? idOf)
    {
        lock (gate)
        {
            var inputs = calls.Select(c => c.Input).OfType<T>();
            return [.. idOf is null ? inputs : inputs.DistinctBy(idOf)];
        }
    }

    /// <summary>Calls of one activity, retries included.</summary>
    public int Count(string activity)
    {
        lock (gate)
        {
            return calls.Count(c => c.Activity == activity);
        }
    }

    async Task<string> DescribeAsync()
    {
        var instance = await client.GetInstanceAsync(Id, getInputsAndOutputs: true);
        return $"Orchestration: {instance?.RuntimeStatus} {instance?.SerializedCustomStatus} {instance?.FailureDetails}{Environment.NewLine}Calls:{Environment.NewLine}{Story}";
    }
}
