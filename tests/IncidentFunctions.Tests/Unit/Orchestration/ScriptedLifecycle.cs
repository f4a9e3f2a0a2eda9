using System.Collections.Concurrent;
using IncidentFunctions.DevHost.Local;
using IncidentFunctions.Lifecycle;
using IncidentFunctions.LifecycleEvents;
using IncidentFunctions.Model;
using IncidentFunctions.Paging;
using IncidentFunctions.Policy;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.DurableTask.Worker;

namespace IncidentFunctions.Tests.Unit.Orchestration;

/// <summary>
/// The real <see cref="IncidentOrchestration.IncidentOrchestrator"/> on the Durable Task test host's in-memory backend
/// (no orchestration service registered, so DurableTaskTestHost keeps history, queues and timers in memory), with every
/// activity it calls replaced by a script under the same name. No storage, no mail: each incident's state and the log
/// of what the orchestration asked for live in its <see cref="ScriptedIncident"/>. One host serves every test in the
/// collection; incidents (and so orchestration instances) are told apart by id.
/// </summary>
public sealed class ScriptedLifecycle : IAsyncLifetime
{
    /// <summary>The activities scripted here; a test checks that this is every activity the app declares.</summary>
    public static readonly IReadOnlyList<string> ScriptedActivities =
    [
        nameof(LifecycleActivities.BeginIncident), nameof(LifecycleActivities.ReadIncidentState), nameof(LifecycleActivities.RetriggerIncident),
        nameof(LifecycleActivities.ResolveFromSource), nameof(LifecycleActivities.AppendTimeline), nameof(LifecycleActivities.NotifyRecipients),
        nameof(LifecycleActivities.PageIfOpen), nameof(LifecycleEventActivities.PublishLifecycleEvent), CoordinationActivityNames.RemindUnfilledRoles,
    ];

    readonly ConcurrentDictionary<string, ScriptedIncident> incidents = new();
    DurableTaskTestHost? host;

    public DurableTaskClient Client => (host ?? throw new InvalidOperationException("The host has not started.")).Client;

    /// <summary>A new incident that follows <paramref name="plan"/>; its orchestration starts with <see cref="ScriptedIncident.StartAsync"/>.</summary>
    public ScriptedIncident Incident(EscalationPlan plan, ScriptedOpening? opening = null)
    {
        var incident = new ScriptedIncident("inc-" + Guid.NewGuid().ToString("N"), plan, opening ?? new ScriptedOpening(), Client);
        Assert.True(incidents.TryAdd(incident.Id, incident));
        return incident;
    }

    /// <summary>A new incident whose orchestration has been started.</summary>
    public async Task<ScriptedIncident> StartAsync(EscalationPlan plan, ScriptedOpening? opening = null)
    {
        var incident = Incident(plan, opening);
        await incident.StartAsync();
        return incident;
    }

    public async Task InitializeAsync() => host = await DurableTaskTestHost.StartAsync(
        registry =>
        {
            registry.AddOrchestrator(nameof(IncidentOrchestration.IncidentOrchestrator), () => new RealOrchestrator());

            registry.AddActivityFunc<BeginRequest, IncidentStart>(nameof(LifecycleActivities.BeginIncident), (_, r) => Of(r.IncidentId).Begin());
            registry.AddActivityFunc<string, IncidentState>(nameof(LifecycleActivities.ReadIncidentState), (_, id) => Of(id).Read());
            registry.AddActivityFunc<RetriggerRequest, IncidentState>(nameof(LifecycleActivities.RetriggerIncident), (_, r) => Of(r.IncidentId).Retrigger(r));
            registry.AddActivityFunc<SourceResolveRequest, IncidentState>(nameof(LifecycleActivities.ResolveFromSource), (_, r) => Of(r.IncidentId).ResolveFromSource(r));
            registry.AddActivityFunc<TimelineEntry>(nameof(LifecycleActivities.AppendTimeline), (_, e) => Of(e.IncidentId).Append(e.Event));
            registry.AddActivityFunc<NotifyRequest, DateTimeOffset?>(nameof(LifecycleActivities.NotifyRecipients), (_, r) => Of(r.IncidentId).NotifyAsync(r));
            registry.AddActivityFunc<PageRequest, PageOutcome>(nameof(LifecycleActivities.PageIfOpen), (_, r) => Of(r.Notify.IncidentId).PageIfOpenAsync(r));
            registry.AddActivityFunc<IncidentTransition>(nameof(LifecycleEventActivities.PublishLifecycleEvent), (_, t) => Of(t.IncidentId).Publish(t));
            registry.AddActivityFunc<UnfilledRolesReminder, DateTimeOffset?>(CoordinationActivityNames.RemindUnfilledRoles, (_, r) => Of(r.IncidentId).RemindRoles(r));
        },
        // Its default port is random in 30000-40000, which can collide with the other servers of a test run.
        new DurableTaskTestHostOptions { Port = NodeService.FreePort() });

    public async Task DisposeAsync()
    {
        if (host is not null)
        {
            await host.DisposeAsync();
        }
    }

    ScriptedIncident Of(string incidentId) =>
        incidents.TryGetValue(incidentId, out var incident) ? incident : throw new InvalidOperationException($"No script for incident {incidentId}.");

    /// <summary>
    /// The app's orchestrator function as the Functions worker runs it: the input is read back with GetInput, which
    /// needs the worker to deserialize it as <see cref="IncidentLifecycleInput"/>. A class rather than
    /// AddOrchestratorFunc, because the Durable Task analyzers crash (AD0001) on a lambda calling an orchestrator
    /// compiled in another assembly.
    /// </summary>
    sealed class RealOrchestrator : ITaskOrchestrator
    {
        public Type InputType => typeof(IncidentLifecycleInput);

        public Type OutputType => typeof(string);

        public async Task<object?> RunAsync(TaskOrchestrationContext context, object? input) => await IncidentOrchestration.IncidentOrchestrator(context);
    }
}

[CollectionDefinition(Name)]
public sealed class ScriptedLifecycleCollection : ICollectionFixture<ScriptedLifecycle>
{
    public const string Name = "Scripted lifecycle";
}
