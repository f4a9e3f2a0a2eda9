using System.Collections.Concurrent;
using System.Text.Json;
using Azure.Messaging.ServiceBus;
using IncidentFunctions.Access;
using IncidentFunctions.Coordination;
using IncidentFunctions.Incidents;
using IncidentFunctions.LifecycleEvents;
using IncidentFunctions.Model;
using IncidentFunctions.Notifications;
using IncidentFunctions.Policy;
using IncidentFunctions.Responding;
using IncidentFunctions.TestTools;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace IncidentFunctions.Tests.Integration;

/// <summary>
/// The coordination orchestration as it runs: the real orchestrations and activities on the Durable Task test host,
/// incidents, tasks and timelines in Azurite, reminders emailed to MailDev, with second-scale policies. Changes are made
/// through the editor (or the tasks table directly), as the routes make them.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class CoordinationTests(PipelineFixture fixture)
{
    /// <summary>Seconds between reminders of one series; long enough that one look per slot is easy, short enough to wait for.</summary>
    const double Every = 2;

    static readonly Caller Admin = new("alice", "aad", null, null, new HashSet<AppRole> { AppRole.Admin }, "alice");

    static double Minutes(double seconds) => seconds / 60;

    static TestPolicy PolicyWith(double? requiredRolesSeconds = null, double? internalSeconds = null, string[]? requiredRoles = null, IReadOnlyList<TestLevel>? levels = null) => new()
    {
        Levels = levels ?? [new(["person:alice"], 600)],
        Response = new Dictionary<string, object>
        {
            ["incidentRoles"] = (requiredRoles ?? ["communications"]).Select(id => new { id, name = id, required = true, multiple = false })
                .Prepend(new { id = ResponsePolicy.Commander, name = "Incident commander", required = true, multiple = false }).ToArray(),
            ["communication"] = Enum.GetNames<Priority>().ToDictionary(p => p, _ => new
            {
                internalMinutes = internalSeconds is { } i ? Minutes(i) : (double?)null,
                stakeholderMinutes = (double?)null,
                requiredRolesWithinMinutes = requiredRolesSeconds is { } r ? Minutes(r) : (double?)null,
            }),
            ["taskReminderMinutes"] = Minutes(Every),
        },
    };

    [Fact]
    public async Task AnAcknowledgedIncidentWithoutACommanderRemindsItsFirstLevelOfUnfilledRolesOncePerSlot()
    {
        var policy = PolicyWith(requiredRolesSeconds: 1);
        await using var host = await LifecycleHost.StartAsync(fixture, policy);
        var incident = await host.FireAsync(TestAlerts.NewKey());

        // The acknowledgement starts the coordination; repeating it only wakes the run again, mid-slot.
        await host.Responder.AcknowledgeAsync(incident.Id, "bob", Channels.Api, host.Lifecycle, CancellationToken.None);
        var first = await RemindersAsync(host, incident.Id, count: 1);
        await host.Responder.AcknowledgeAsync(incident.Id, "bob", Channels.Api, host.Lifecycle, CancellationToken.None);
        await host.Responder.AcknowledgeAsync(incident.Id, "carol", Channels.Api, host.Lifecycle, CancellationToken.None);
        var reminders = await RemindersAsync(host, incident.Id, count: 3);

        Assert.All(reminders, r => Assert.Equal("requiredRoles", r.Data!["kind"]));
        Assert.All(reminders, r => Assert.Equal("commander,communications", r.Data!["subject"]));
        Assert.All(reminders, r => Assert.Equal("alice", r.Data!["recipients"]));
        var slots = reminders.Select(r => DateTimeOffset.Parse(r.Data!["dueAt"])).ToList();
        Assert.Equal(slots.Order(), slots);
        Assert.All(slots.Zip(slots.Skip(1)), pair => Assert.Equal(TimeSpan.FromSeconds(Every), pair.Second - pair.First));
        Assert.Equal(first[0].Id, reminders[0].Id);

        // One email per slot, however many times the run woke up in it: counted once the run has ended.
        await EditAsync(host, incident.Id, (response, _) => (response with { Stage = Stage.Closed }, "closed"), LifecycleEventKind.Closed);
        await CompletedAsync(host, incident.Id);
        var sent = await RemindersAsync(host, incident.Id, count: 3);
        var emails = await host.EmailsAsync(incident.Id);
        Assert.Equal(sent.Count, emails.Count(e => e.Header(NotificationHeaders.Kind) == "reminder"));
        Assert.All(emails.Where(e => e.Header(NotificationHeaders.Kind) == "reminder"), e => Assert.True(e.IsTo(policy.Email("alice"))));
    }

    /// <summary>
    /// Nobody acknowledges, so nobody holds command: the paging orchestration reminds the level it is paging (bob, on
    /// level 2 by then) of the unfilled roles, by email, once per slot, without starting the coordination.
    /// </summary>
    [Fact]
    public async Task AnIncidentNobodyAcknowledgesRemindsTheLevelItIsPagingOfUnfilledRoles()
    {
        var policy = PolicyWith(requiredRolesSeconds: 2, levels: [new(["person:alice"], 0.5), new(["person:bob"], 600)]);
        await using var host = await LifecycleHost.StartAsync(fixture, policy);
        var incident = await host.FireAsync(TestAlerts.NewKey());

        var reminders = await RemindersAsync(host, incident.Id, count: 2);

        Assert.All(reminders, r => Assert.Equal(("requiredRoles", "commander,communications", "bob"), (r.Data!["kind"], r.Data["subject"], r.Data["recipients"])));
        // On the series' slots (from two seconds after opening, one every interval), each once; a busy machine may
        // wake the orchestration late, and then the latest slot is the one sent.
        var slots = reminders.Select(r => DateTimeOffset.Parse(r.Data!["dueAt"])).ToList();
        Assert.All(slots, slot => Assert.Equal(0, (slot - incident.OpenedAt.AddSeconds(2)).Ticks % TimeSpan.FromSeconds(Every).Ticks));
        Assert.True(slots[0] >= incident.OpenedAt.AddSeconds(2) && slots[1] > slots[0], string.Join(", ", slots));
        var emails = await ReminderEmailsAsync(host, incident.Id, count: 2);
        Assert.All(emails, e => Assert.True(e.IsTo(policy.Email("bob"))));
        Assert.Null(await host.Client.GetInstanceAsync(DurableCoordination.InstanceIdOf(incident.Id)));
    }

    [Fact]
    public async Task AnUnfilledRequiredRoleRemindsTheCommanderAndStopsOnceItIsFilled()
    {
        await using var host = await LifecycleHost.StartAsync(fixture, PolicyWith(requiredRolesSeconds: 1));
        var id = await host.CreateIncidentAsync();

        await EditAsync(host, id, (response, _) => (response with { Roles = Holders(("commander", "bob")) }, "bob leads"));
        var reminders = await RemindersAsync(host, id, count: 2);
        Assert.All(reminders, r => Assert.Equal(("communications", "bob"), (r.Data!["subject"], r.Data["recipients"])));

        var filled = await EditAsync(host, id, (response, _) => (response with { Roles = Holders(("commander", "bob"), ("communications", "carol")) }, "carol communicates"));
        var status = await LookedAfterAsync(host, id, filled);
        Assert.Null(status.NextAt);
        Assert.DoesNotContain(await RemindersAsync(host, id, count: 0), r => DateTimeOffset.Parse(r.Data!["dueAt"]) > filled);
    }

    [Fact]
    public async Task AnOverdueTaskRemindsItsAssigneeAtTheIntervalUntilItIsDone()
    {
        var policy = PolicyWith(requiredRoles: []);
        await using var host = await LifecycleHost.StartAsync(fixture, policy);
        var id = await host.CreateIncidentAsync();
        var tasks = host.Services.GetRequiredService<TaskStore>();
        var task = new IncidentTask("t-1", "Roll back the deploy", null, TaskAssignee.ToPerson("carol"), TaskPriority.High, DateTimeOffset.UtcNow.AddSeconds(1),
            IncidentTaskStatus.Open, null, Required: true, null, null, DateTimeOffset.UtcNow, "alice", DateTimeOffset.UtcNow);
        Assert.True(await tasks.TryAddAsync(id, task, CancellationToken.None));
        await EditAsync(host, id, (response, _) => (response with { Roles = Holders(("commander", "bob")) }, "bob leads"));

        var reminders = await RemindersAsync(host, id, count: 3);
        Assert.All(reminders, r => Assert.Equal(("taskOverdue", "t-1", "carol"), (r.Data!["kind"], r.Data["subject"], r.Data["recipients"])));
        Assert.Equal(
            [TimeSpan.Zero, TimeSpan.FromSeconds(Every), TimeSpan.FromSeconds(2 * Every)],
            reminders.Select(r => DateTimeOffset.Parse(r.Data!["dueAt"]) - task.DueAt!.Value));
        var emails = await ReminderEmailsAsync(host, id, count: 3);
        Assert.All(emails, e => Assert.True(e.IsTo(policy.Email("carol"))));
        Assert.Contains("Roll back the deploy", emails[0].Text);

        var stored = (await tasks.FindAsync(id, task.Id, CancellationToken.None))!;
        var doneAt = DateTimeOffset.UtcNow;
        Assert.True(await tasks.TryReplaceAsync(id, task with { Status = IncidentTaskStatus.Done, UpdatedAt = doneAt }, stored.ETag, CancellationToken.None));
        await Coordination(host).ChangedAsync(CoordinationOrchestration.Look(id), CancellationToken.None);

        var status = await LookedAfterAsync(host, id, doneAt);
        Assert.Null(status.NextAt);
        Assert.DoesNotContain(await RemindersAsync(host, id, count: 0), r => DateTimeOffset.Parse(r.Data!["dueAt"]) > doneAt);
    }

    [Fact]
    public async Task AnOverdueInternalUpdateRemindsCommunicationsThenTheCommanderAndNothingAfterClose()
    {
        await using var host = await LifecycleHost.StartAsync(fixture, PolicyWith(internalSeconds: 1));
        var id = await host.CreateIncidentAsync();
        await EditAsync(host, id, (response, at) => (
            response with { Stage = Stage.Investigating, Roles = Holders(("commander", "bob"), ("communications", "carol")) },
            "bob leads, carol communicates"));

        var reminders = await RemindersAsync(host, id, count: 2);
        Assert.All(reminders, r => Assert.Equal(("updateOverdue", "internal"), (r.Data!["kind"], r.Data["subject"])));
        Assert.Equal(["carol", "carol,bob"], reminders.Select(r => r.Data!["recipients"]));

        var closedAt = await EditAsync(host, id, (response, at) => (response with { Stage = Stage.Closed }, "closed"), LifecycleEventKind.Closed);
        var ended = await CompletedAsync(host, id);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, ended.RuntimeStatus);

        // The run has ended: nothing is left that could send a reminder, and none was sent after the close.
        Assert.DoesNotContain(await RemindersAsync(host, id, count: 0), r => r.At > closedAt);

        // A note after the close is only a record: it wakes nothing. A change the coordination has to deliver (a task
        // finished after the close) starts a run again, which delivers it, sees the incident closed, and ends.
        await EditAsync(host, id, (response, _) => (response, "post-close note"), type: TimelineEventTypes.NoteAdded);
        Assert.Equal(ended.CreatedAt, (await host.Client.GetInstanceAsync(DurableCoordination.InstanceIdOf(id)))!.CreatedAt);
        await EditAsync(host, id, (response, _) => (response, "post-close task done"), type: TimelineEventTypes.TaskChanged);
        var revision = (await host.ReadAsync(id)).Revision;
        await Eventually.Get(
            () => host.Client.GetInstanceAsync(DurableCoordination.InstanceIdOf(id), getInputsAndOutputs: true),
            i => i?.RuntimeStatus == OrchestrationRuntimeStatus.Completed && i.ReadOutputAs<DeliveredRevisions>()!.Contains(revision),
            "a second run that delivered the change and ended");
        Assert.DoesNotContain(await RemindersAsync(host, id, count: 0), r => r.At > closedAt);
    }

    [Fact]
    public async Task AChangesDeliveryRunsOnceHoweverOftenItIsSignalled()
    {
        var delivery = new RecordingDelivery(TimelineEventTypes.NoteAdded);
        await using var host = await LifecycleHost.StartAsync(fixture, PolicyWith(requiredRoles: []), configure: s => s.AddSingleton<IChangeDelivery>(delivery));
        var id = await host.CreateIncidentAsync();

        await EditAsync(host, id, (response, _) => (response, "a note"), type: TimelineEventTypes.NoteAdded);
        var row = await host.ReadAsync(id);
        var last = JsonSerializer.Deserialize<LastChange>(row.LastChange!, JsonDefaults.Options)!;
        var change = new CoordinationChange(id, row.Revision, last.Events, last.Transitions);
        for (var i = 0; i < 3; i++)
        {
            await Coordination(host).ChangedAsync(change, CancellationToken.None);
        }

        var repeatedAt = DateTimeOffset.UtcNow;
        await Coordination(host).ChangedAsync(CoordinationOrchestration.Look(id), CancellationToken.None);
        var status = await LookedAfterAsync(host, id, repeatedAt);
        Assert.True(status.Delivered.Contains(row.Revision));
        Assert.Equal([$"r{row.Revision}-1"], delivery.Delivered);
    }

    [Fact]
    public async Task AChangeWhoseSignalWasLostIsDeliveredAtTheRunsNextLook()
    {
        var delivery = new RecordingDelivery(TimelineEventTypes.NoteAdded);
        await using var host = await LifecycleHost.StartAsync(fixture, PolicyWith(requiredRoles: []), configure: s => s.AddSingleton<IChangeDelivery>(delivery));
        var id = await host.CreateIncidentAsync();

        // As if raised while the run was being created: the change is on the row, and its signal never arrives.
        await EditAsync(host, id, (response, _) => (response, "a note"), type: TimelineEventTypes.NoteAdded, coordination: new LostSignals());
        Assert.Null(await host.Client.GetInstanceAsync(DurableCoordination.InstanceIdOf(id)));
        await Coordination(host).ChangedAsync(CoordinationOrchestration.Look(id), CancellationToken.None);

        await Eventually.Get(() => Task.FromResult<IReadOnlyList<string>?>(delivery.Delivered), d => d!.Count > 0, "the lost change delivered");
        Assert.Equal(["r1-1"], delivery.Delivered);
    }

    /// <summary>
    /// Two people change the incident while its run is only being created, and both signals are lost: both changes are
    /// delivered at the run's first look, each once (the row's last change whole, the earlier one read back from the
    /// timeline through the row's recent changes).
    /// </summary>
    [Fact]
    public async Task EveryChangeWhoseSignalWasLostIsDeliveredNotOnlyTheLast()
    {
        const string Type = "test.delivered";
        var delivery = new RecordingDelivery(Type);
        await using var host = await LifecycleHost.StartAsync(fixture, PolicyWith(requiredRoles: []), configure: s => s.AddSingleton<IChangeDelivery>(delivery));
        var id = await host.CreateIncidentAsync();

        await EditAsync(host, id, (response, _) => (response, "the first change"), type: Type, coordination: new LostSignals());
        await EditAsync(host, id, (response, _) => (response, "the second change"), type: Type, coordination: new LostSignals());
        Assert.Null(await host.Client.GetInstanceAsync(DurableCoordination.InstanceIdOf(id)));
        var lookedAt = DateTimeOffset.UtcNow;
        await Coordination(host).ChangedAsync(CoordinationOrchestration.Look(id), CancellationToken.None);

        await Eventually.Get(() => Task.FromResult<IReadOnlyList<string>?>(delivery.Delivered), d => d!.Count >= 2, "both lost changes delivered");
        var again = DateTimeOffset.UtcNow;
        await Coordination(host).ChangedAsync(CoordinationOrchestration.Look(id), CancellationToken.None);
        var status = await LookedAfterAsync(host, id, again);

        Assert.Equal(["r1-1", "r2-1"], delivery.Delivered);
        Assert.True(status.Delivered.Contains(1) && status.Delivered.Contains(2));
    }

    [Fact]
    public async Task AStageChangeAndTheCloseArePublishedAsLifecycleEventsWithTheStageAndTheirDetails()
    {
        var sender = new RecordingServiceBusSender();
        var settings = new Dictionary<string, string?>
        {
            ["IncidentEvents:Enabled"] = "true",
            ["IncidentEvents:FullyQualifiedNamespace"] = "incidents-test.servicebus.windows.net",
            ["IncidentEvents:RetryInterval"] = "00:00:00.200",
        };
        await using var host = await LifecycleHost.StartAsync(fixture, PolicyWith(requiredRoles: []), settings, s => s.AddSingleton<ServiceBusSender>(sender));
        var id = await host.CreateIncidentAsync();

        await EditAsync(host, id, (response, _) => (response with { Stage = Stage.Identified }, "cause found"), LifecycleEventKind.StageChanged,
            TimelineEventTypes.StageChanged, new Dictionary<string, string> { ["from"] = "triage", ["to"] = "identified" });
        await EditAsync(host, id, (response, _) => (response with { Stage = Stage.Closed }, "closed"), LifecycleEventKind.Closed, TimelineEventTypes.IncidentClosed);
        await CompletedAsync(host, id);
        var published = await Eventually.Get(() => Task.FromResult<IReadOnlyList<ServiceBusMessage>?>(sender.Sent), s => s!.Count >= 2, "two lifecycle events");

        var events = await host.EventsAsync(id);
        Assert.Equal(
            [
                (events.Single(e => e.Type == TimelineEventTypes.StageChanged).Id, "io.incidentfunctions.incident.stagechanged"),
                (events.Single(e => e.Type == TimelineEventTypes.IncidentClosed).Id, "io.incidentfunctions.incident.closed"),
            ],
            published.Select(m => (m.MessageId, m.Subject)));
        var data = published.Select(m => JsonDocument.Parse(m.Body.ToString()).RootElement.GetProperty("data")).ToList();
        Assert.Equal(["identified", "closed"], data.Select(d => d.GetProperty("stage").GetString()));
        Assert.Equal("identified", data[0].GetProperty("details").GetProperty("to").GetString());
        Assert.Equal("alice", data[0].GetProperty("actor").GetString());
    }

    static ICoordinationSignals Coordination(LifecycleHost host) => host.Services.GetRequiredService<Coordinations>().For(host.Client);

    static IReadOnlyDictionary<string, IReadOnlyList<string>> Holders(params (string Role, string Person)[] holders) =>
        holders.GroupBy(h => h.Role).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(h => h.Person)]);

    /// <summary>Makes a change through the editor, as the routes do; returns when it was recorded.</summary>
    static async Task<DateTimeOffset> EditAsync(
        LifecycleHost host, string id, Func<IncidentResponse, DateTimeOffset, (IncidentResponse Response, string Summary)> change,
        LifecycleEventKind? publish = null, string type = TimelineEventTypes.IncidentEdited, IReadOnlyDictionary<string, string>? data = null,
        ICoordinationSignals? coordination = null)
    {
        var editor = host.Services.GetRequiredService<IncidentEditor>();
        var edited = await editor.EditAsync(Admin, Permission.Command, id, ifMatch: null, (row, now) =>
        {
            var (response, summary) = change(row.ResponseValue, now);
            return new Change(response, [new ChangeNote(type, summary, data, publish)]);
        }, coordination ?? Coordination(host), CancellationToken.None);
        Assert.Null(edited.Refusal);
        return edited.Recorded[0].At;
    }

    static async Task<List<TimelineEvent>> RemindersAsync(LifecycleHost host, string id, int count) =>
        await Eventually.Get(
            async () => (await host.EventsAsync(id)).Where(e => e.Type == TimelineEventTypes.ReminderSent).ToList(),
            r => r!.Count >= count,
            $"{count} reminders for {id}");

    static async Task<List<MailDevEmail>> ReminderEmailsAsync(LifecycleHost host, string id, int count) =>
        await Eventually.Get(
            async () => (await host.EmailsAsync(id)).Where(e => e.Header(NotificationHeaders.Kind) == "reminder").ToList(),
            e => e!.Count >= count,
            $"{count} reminder emails for {id}");

    /// <summary>Waits until the run has looked at the incident after <paramref name="after"/>: what it planned then is in its status.</summary>
    static Task<CoordinationStatus> LookedAfterAsync(LifecycleHost host, string id, DateTimeOffset after) =>
        Eventually.Get(
            async () =>
            {
                var instance = await host.Client.GetInstanceAsync(DurableCoordination.InstanceIdOf(id), getInputsAndOutputs: true);
                return instance?.SerializedCustomStatus is { } status ? JsonSerializer.Deserialize<CoordinationStatus>(status, JsonDefaults.Options) : null;
            },
            s => s?.PlannedAt > after,
            $"the coordination of {id} looking after {after:O}")!;

    static async Task<OrchestrationMetadata> CompletedAsync(LifecycleHost host, string id)
    {
        using var cancel = new CancellationTokenSource(Eventually.DefaultTimeout);
        return await host.Client.WaitForInstanceCompletionAsync(DurableCoordination.InstanceIdOf(id), getInputsAndOutputs: true, cancel.Token);
    }

    sealed class LostSignals : ICoordinationSignals
    {
        public Task ChangedAsync(CoordinationChange change, CancellationToken ct) => Task.CompletedTask;
    }

    /// <summary>A feature's delivery as the coordination sees it: records each event it is handed.</summary>
    sealed class RecordingDelivery(string type) : IChangeDelivery
    {
        readonly ConcurrentQueue<string> delivered = new();

        public IReadOnlyList<string> Delivered => [.. delivered];

        public bool Handles(string eventType) => eventType == type;

        public Task DeliverAsync(IncidentEntity incident, TimelineEvent recorded, CancellationToken ct)
        {
            delivered.Enqueue(recorded.Id);
            return Task.CompletedTask;
        }
    }
}
