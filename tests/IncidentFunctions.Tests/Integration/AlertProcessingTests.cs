using IncidentFunctions.Incidents;
using IncidentFunctions.Ingestion;
using IncidentFunctions.Lifecycle;
using IncidentFunctions.Model;
using IncidentFunctions.Policy;
using IncidentFunctions.Storage;
using IncidentFunctions.Tests.Infrastructure;
using IncidentFunctions.Timeline;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace IncidentFunctions.Tests.Integration;

/// <summary>
/// Deduplication against real Table Storage (Azurite), with the real incident orchestration running on the Durable
/// Task in-process test host: only the Durable backend is in memory here; the end-to-end tests use Azure Storage.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class AlertProcessingTests(PipelineFixture fixture) : IAsyncLifetime
{
    LifecycleHost host = null!;

    string integration => host.Integration;

    DurableTaskTestHost durable => host.Durable;

    AlertProcessor Processor => host.Processor;

    IncidentStore Incidents => host.Incidents;

    TimelineStore Timeline => host.Timeline;

    IIncidentLifecycle Lifecycle => host.Lifecycle;

    public async Task InitializeAsync() => host = await LifecycleHost.StartAsync(fixture);

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task FiftyConcurrentCopiesOpenOneIncidentAndCountFifty()
    {
        var key = TestAlerts.NewKey();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ =>
            Task.Run(() => Processor.ProcessAsync(TestAlerts.Firing(integration, key), Lifecycle, CancellationToken.None))));

        Assert.Equal(1, outcomes.Count(o => o == AlertOutcome.Opened));
        Assert.Equal(49, outcomes.Count(o => o == AlertOutcome.Counted));
        var incident = await IncidentFor(key);
        Assert.Equal(50, incident.AlertCount);
        Assert.True(incident.LifecycleStarted);

        var events = await AllEvents(incident.Id);
        Assert.Equal(1, events.Count(e => e.Type == TimelineEventTypes.AlertReceived));
        Assert.Equal(49, events.Count(e => e.Type == TimelineEventTypes.AlertRepeated));

        var instance = await durable.Client.GetInstanceAsync(incident.Id);
        Assert.NotNull(instance);
        await Eventually.Get(async () => (await AllEvents(incident.Id)).FirstOrDefault(e => e.Type == TimelineEventTypes.IncidentOpened), "incident.opened");
    }

    [Fact]
    public async Task ConcurrentFirstAlertsOfOneKeyWaitForItsOpeningInsteadOfRacingItThroughStorage()
    {
        var meter = durable.Services.GetRequiredService<StorageRequestMeter>();
        var key = TestAlerts.NewKey("herd");
        var before = meter.Total("table", "GET");

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ =>
            Task.Run(() => Processor.ProcessAsync(TestAlerts.Firing(integration, key), Lifecycle, CancellationToken.None))));

        // Racing copies each re-read the key and the incident until it exists: over a hundred reads for one opening,
        // and under a storm of new incidents, most of the storage account's work. Waiting costs a handful, counted here
        // with those of the first page and of the incident's orchestration as it begins, which run meanwhile.
        var reads = meter.Total("table", "GET") - before;
        Assert.Equal(1, outcomes.Count(o => o == AlertOutcome.Opened));
        Assert.Equal(50, (await IncidentFor(key)).AlertCount);
        Assert.True(reads <= 20, $"50 concurrent first alerts of one key made {reads} table reads");
    }

    [Fact]
    public async Task AStormOnOneIncidentIsCountedInFarFewerWritesThanAlerts()
    {
        var key = TestAlerts.NewKey("storm");
        await Processor.ProcessAsync(TestAlerts.Firing(integration, key), Lifecycle, CancellationToken.None);
        var meter = durable.Services.GetRequiredService<StorageRequestMeter>();
        var before = meter.Total("table", "POST");

        await Task.WhenAll(Enumerable.Range(0, 200).Select(_ =>
            Task.Run(() => Processor.ProcessAsync(TestAlerts.Firing(integration, key), Lifecycle, CancellationToken.None))));

        Assert.Equal(201, (await IncidentFor(key)).AlertCount);
        var transactions = meter.Total("table", "POST") - before;
        Assert.True(transactions <= 40, $"200 repeats took {transactions} table transactions; they should be counted in a few");
    }

    [Fact]
    public async Task ARedeliveredAlertIsCountedAndRecordedOnce()
    {
        var key = TestAlerts.NewKey();
        var alert = TestAlerts.Firing(integration, key);
        Assert.Equal(AlertOutcome.Opened, await Processor.ProcessAsync(alert, Lifecycle, CancellationToken.None));
        var repeat = TestAlerts.Firing(integration, key);
        Assert.Equal(AlertOutcome.Counted, await Processor.ProcessAsync(repeat, Lifecycle, CancellationToken.None));

        // The queue delivers both messages again (at-least-once): nothing changes.
        await Processor.ProcessAsync(alert, Lifecycle, CancellationToken.None);
        await Processor.ProcessAsync(repeat, Lifecycle, CancellationToken.None);

        var incident = await IncidentFor(key);
        Assert.Equal(2, incident.AlertCount);
        var events = await AllEvents(incident.Id);
        Assert.Equal(2, events.Count(e => e.Type.StartsWith("alert.", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ARedeliveryCountedBeforeDoesNotInflateTheNextAlertsCount()
    {
        var key = TestAlerts.NewKey();
        var first = TestAlerts.Firing(integration, key);
        await Processor.ProcessAsync(first, Lifecycle, CancellationToken.None);
        await Processor.ProcessAsync(TestAlerts.Firing(integration, key), Lifecycle, CancellationToken.None);

        // The redelivery is the only alert of the incident's next write, and it was counted before: nothing is written.
        await Processor.ProcessAsync(first, Lifecycle, CancellationToken.None);
        await Processor.ProcessAsync(TestAlerts.Firing(integration, key), Lifecycle, CancellationToken.None);

        Assert.Equal(3, (await IncidentFor(key)).AlertCount);
    }

    [Fact]
    public async Task TwoDeliveriesOfOneAlertInTheSameWriteAreCountedOnce()
    {
        var key = TestAlerts.NewKey();
        await Processor.ProcessAsync(TestAlerts.Firing(integration, key), Lifecycle, CancellationToken.None);
        await Processor.ProcessAsync(TestAlerts.Firing(integration, key), Lifecycle, CancellationToken.None);

        // A re-sent signed webhook, or a queue message delivered again while the first delivery is being counted. Right
        // after a write, the incident's next write gathers alerts for a moment, so both copies wait for the same write.
        var again = TestAlerts.Firing(integration, key);
        var outcomes = await Task.WhenAll(
            Processor.ProcessAsync(again, Lifecycle, CancellationToken.None),
            Processor.ProcessAsync(again, Lifecycle, CancellationToken.None));

        Assert.All(outcomes, o => Assert.Equal(AlertOutcome.Counted, o));
        var incident = await IncidentFor(key);
        Assert.Equal(3, incident.AlertCount);
        Assert.Equal(3, (await AllEvents(incident.Id)).Count(e => e.Type.StartsWith("alert.", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AProcessorThatCrashedAfterClaimingTheKeyIsCompletedByTheNextDelivery()
    {
        var key = TestAlerts.NewKey();
        var orphan = IncidentIds.New(DateTimeOffset.UtcNow);
        Assert.True(await Incidents.TryClaimKeyAsync(null, integration, key, orphan, null, CancellationToken.None));

        var outcome = await Processor.ProcessAsync(TestAlerts.Firing(integration, key), Lifecycle, CancellationToken.None);

        Assert.Equal(AlertOutcome.Opened, outcome);
        var incident = await IncidentFor(key);
        Assert.Equal(orphan, incident.Id);
        Assert.Equal(1, incident.AlertCount);
        Assert.NotNull(await durable.Client.GetInstanceAsync(orphan));
    }

    [Fact]
    public async Task AnOpeningThatCrashedAfterCreatingTheIncidentIsFinishedByTheNextAlertAndRecordedOnce()
    {
        // The incident and its first alert are written, nothing after: no opening on the timeline, no orchestration.
        var key = TestAlerts.NewKey();
        var first = TestAlerts.Firing(integration, key);
        var id = IncidentIds.New(DateTimeOffset.UtcNow);
        Assert.True(await Incidents.TryClaimKeyAsync(null, integration, key, id, null, CancellationToken.None));
        var created = IncidentEntity.Open(id, first, DateTimeOffset.UtcNow);
        created.Triage = System.Text.Json.JsonSerializer.Serialize(
            host.Services.GetRequiredService<PolicyProvider>().Current.Triage(new TriageInput(integration, first.Labels, first.Severity, created.OpenedAt)),
            JsonDefaults.Options);
        Assert.True(await Incidents.TryCreateAsync(created, AlertEntity.From(id, first), firstPage: null, CancellationToken.None));

        var outcome = await Processor.ProcessAsync(TestAlerts.Firing(integration, key), Lifecycle, CancellationToken.None);

        Assert.Equal(AlertOutcome.Counted, outcome);
        Assert.True((await IncidentFor(key)).LifecycleStarted);
        Assert.NotNull(await durable.Client.GetInstanceAsync(id));
        var types = (await AllEvents(id)).Select(e => e.Type).ToList();
        Assert.Equal(1, types.Count(t => t == TimelineEventTypes.IncidentOpened));
        Assert.Equal(1, types.Count(t => t == TimelineEventTypes.IncidentTriaged));
        Assert.Equal(1, types.Count(t => t == TimelineEventTypes.IncidentRouted));
    }

    [Fact]
    public async Task SourceResolvedResolvesTheIncidentAndMovesItInTheIndex()
    {
        var key = TestAlerts.NewKey();
        await Processor.ProcessAsync(TestAlerts.Firing(integration, key), Lifecycle, CancellationToken.None);
        var opened = await IncidentFor(key);
        Assert.Contains(opened.Id, await ListedIds("open"));

        Assert.Equal(AlertOutcome.SourceResolved, await Processor.ProcessAsync(TestAlerts.Resolved(integration, key), Lifecycle, CancellationToken.None));

        var done = await durable.Client.WaitForInstanceCompletionAsync(opened.Id, getInputsAndOutputs: true, new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var resolved = await IncidentFor(key);
        Assert.Equal(IncidentStatus.Resolved, resolved.StatusValue);
        Assert.Equal(integration, resolved.ResolvedBy);
        Assert.DoesNotContain(opened.Id, await ListedIds("open"));
        Assert.Contains(opened.Id, await ListedIds("resolved"));

        var types = (await AllEvents(opened.Id)).Select(e => e.Type).ToList();
        Assert.True(types.IndexOf(TimelineEventTypes.AlertResolved) < types.IndexOf(TimelineEventTypes.IncidentResolved), string.Join(", ", types));
    }

    [Fact]
    public async Task AFiringAlertAfterResolutionOpensANewIncident()
    {
        var key = TestAlerts.NewKey();
        await Processor.ProcessAsync(TestAlerts.Firing(integration, key), Lifecycle, CancellationToken.None);
        var first = await IncidentFor(key);
        await Processor.ProcessAsync(TestAlerts.Resolved(integration, key), Lifecycle, CancellationToken.None);
        await durable.Client.WaitForInstanceCompletionAsync(first.Id, new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

        Assert.Equal(AlertOutcome.Opened, await Processor.ProcessAsync(TestAlerts.Firing(integration, key), Lifecycle, CancellationToken.None));

        var second = await IncidentFor(key);
        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(IncidentStatus.Open, second.StatusValue);
        Assert.Equal(1, second.AlertCount);
    }

    [Fact]
    public async Task AResolveForAKeyThatNeverFiredIsDropped()
    {
        var key = TestAlerts.NewKey();
        Assert.Equal(AlertOutcome.Dropped, await Processor.ProcessAsync(TestAlerts.Resolved(integration, key), Lifecycle, CancellationToken.None));
        Assert.Null(await Incidents.FindKeyAsync(integration, key, CancellationToken.None));
    }

    [Fact]
    public async Task ASourceAcknowledgementAcknowledgesTheOpenIncidentOnceAndStopsPaging()
    {
        var key = TestAlerts.NewKey();
        await Processor.ProcessAsync(TestAlerts.Firing(integration, key), Lifecycle, CancellationToken.None);
        var opened = await IncidentFor(key);

        var acknowledge = TestAlerts.Acknowledged(integration, key);
        Assert.Equal(AlertOutcome.SourceAcknowledged, await Processor.ProcessAsync(acknowledge, Lifecycle, CancellationToken.None));
        Assert.Equal(AlertOutcome.SourceAcknowledged, await Processor.ProcessAsync(acknowledge, Lifecycle, CancellationToken.None));

        var acknowledged = await IncidentFor(key);
        Assert.Equal(opened.Id, acknowledged.Id);
        Assert.Equal(IncidentStatus.Acknowledged, acknowledged.StatusValue);
        Assert.Equal(integration, acknowledged.AcknowledgedBy);
        Assert.Equal(Channels.Source, acknowledged.AcknowledgedVia);
        Assert.Equal(1, acknowledged.AlertCount);
        Assert.Single(await AllEvents(opened.Id), e => e.Type == TimelineEventTypes.IncidentAcknowledged);
        Assert.Contains(opened.Id, await ListedIds("acknowledged"));
        await host.PhaseAsync(opened.Id, LifecyclePhases.Acknowledged);
    }

    [Fact]
    public async Task ASourceAcknowledgementWithoutAnOpenIncidentIsDroppedAndOpensNothing()
    {
        var never = TestAlerts.NewKey();
        Assert.Equal(AlertOutcome.Dropped, await Processor.ProcessAsync(TestAlerts.Acknowledged(integration, never), Lifecycle, CancellationToken.None));
        Assert.Null(await Incidents.FindKeyAsync(integration, never, CancellationToken.None));

        var key = TestAlerts.NewKey();
        await Processor.ProcessAsync(TestAlerts.Firing(integration, key), Lifecycle, CancellationToken.None);
        var first = await IncidentFor(key);
        await Processor.ProcessAsync(TestAlerts.Resolved(integration, key), Lifecycle, CancellationToken.None);
        await host.CompletedAsync(first.Id);

        Assert.Equal(AlertOutcome.Dropped, await Processor.ProcessAsync(TestAlerts.Acknowledged(integration, key), Lifecycle, CancellationToken.None));
        var still = await IncidentFor(key);
        Assert.Equal(IncidentStatus.Resolved, still.StatusValue);
        Assert.Null(still.AcknowledgedBy);
        Assert.DoesNotContain(await AllEvents(first.Id), e => e.Type == TimelineEventTypes.IncidentAcknowledged);
    }

    [Fact]
    public async Task AlertsOfOneGroupShareOneIncidentThatTheSourceResolvesWhenTheLastOfThemResolves()
    {
        var cluster = TestAlerts.NewKey("cluster");
        Alert Member(string instance, AlertStatus status, string inCluster) => AlertGroups.Apply(
            (status == AlertStatus.Firing ? TestAlerts.Firing(integration, instance) : TestAlerts.Resolved(integration, instance))
                with { Labels = new Dictionary<string, string> { ["alertname"] = "NodeDown", ["cluster"] = inCluster, ["instance"] = instance } },
            ["alertname", "cluster"]);
        var nodes = Enumerable.Range(1, 5).Select(i => TestAlerts.NewKey($"node{i}")).ToList();

        await Task.WhenAll(nodes.Select(n => Processor.ProcessAsync(Member(n, AlertStatus.Firing, cluster), Lifecycle, CancellationToken.None)));
        var other = Member(TestAlerts.NewKey("node"), AlertStatus.Firing, cluster + "-other");
        Assert.Equal(AlertOutcome.Opened, await Processor.ProcessAsync(other, Lifecycle, CancellationToken.None));

        var group = Member(nodes[0], AlertStatus.Firing, cluster).GroupKey!;
        var incident = await IncidentFor(group);
        Assert.Equal(5, incident.AlertCount);
        Assert.Equal(group, incident.DedupKey);
        Assert.NotEqual(incident.Id, (await IncidentFor(other.GroupKey!)).Id);
        Assert.Null(await Incidents.FindKeyAsync(integration, nodes[0], CancellationToken.None));

        foreach (var node in nodes.Skip(1))
        {
            Assert.Equal(AlertOutcome.SourceResolved, await Processor.ProcessAsync(Member(node, AlertStatus.Resolved, cluster), Lifecycle, CancellationToken.None));
        }

        var partly = await IncidentFor(group);
        Assert.Null(partly.SourceResolvedAt);
        Assert.NotEqual(IncidentStatus.Resolved, partly.StatusValue);

        await Processor.ProcessAsync(Member(nodes[0], AlertStatus.Resolved, cluster), Lifecycle, CancellationToken.None);
        await host.CompletedAsync(incident.Id);
        var resolved = await IncidentFor(group);
        Assert.Equal(IncidentStatus.Resolved, resolved.StatusValue);
        Assert.NotNull(resolved.SourceResolvedAt);
        Assert.Equal(IncidentStatus.Open, (await IncidentFor(other.GroupKey!)).StatusValue);
    }

    [Fact]
    public async Task StartingTheSameIncidentTwiceNeverCreatesASecondRun()
    {
        var key = TestAlerts.NewKey();
        await Processor.ProcessAsync(TestAlerts.Firing(integration, key), Lifecycle, CancellationToken.None);
        var incident = await IncidentFor(key);
        // Read once the run has begun: read while it was still pending, the creation time once came back 7 µs from the
        // one read after its first step (fresh-clone CI), the same run recorded twice, not a second run.
        var before = await Eventually.Get(
            () => durable.Client.GetInstanceAsync(incident.Id), i => i is { RuntimeStatus: not OrchestrationRuntimeStatus.Pending }, "the incident's run begun");

        var started = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Lifecycle.EnsureStartedAsync(incident.Id, opening: null, CancellationToken.None)));

        Assert.All(started, Assert.False);
        var after = await durable.Client.GetInstanceAsync(incident.Id);
        Assert.Equal(before!.CreatedAt, after!.CreatedAt);
    }

    [Fact]
    public async Task ListingIsNewestFirstAndPagesWithAContinuationToken()
    {
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var key = TestAlerts.NewKey("page");
            await Processor.ProcessAsync(TestAlerts.Firing(integration, key), Lifecycle, CancellationToken.None);
            ids.Add((await IncidentFor(key)).Id);
        }

        var listed = new List<IncidentSummary>();
        string? token = null;
        do
        {
            var page = await Incidents.ListAsync("all", 2, token, CancellationToken.None);
            Assert.True(page.Items.Count <= 2);
            listed.AddRange(page.Items.Select(i => i.Summary));
            token = page.ContinuationToken;
        }
        while (token is not null);

        var ours = listed.Where(i => ids.Contains(i.Id)).ToList();
        Assert.Equal(ids.AsEnumerable().Reverse(), ours.Select(i => i.Id));
        Assert.Equal(listed.Count, listed.Select(i => i.Id).Distinct().Count());
    }

    Task<IncidentEntity> IncidentFor(string key) => host.IncidentForAsync(key);

    Task<List<TimelineEvent>> AllEvents(string incidentId) => host.EventsAsync(incidentId);

    async Task<HashSet<string>> ListedIds(string bucket)
    {
        var ids = new HashSet<string>();
        string? token = null;
        do
        {
            var page = await Incidents.ListAsync(bucket, 100, token, CancellationToken.None);
            ids.UnionWith(page.Items.Select(i => i.Summary.Id));
            token = page.ContinuationToken;
        }
        while (token is not null);

        return ids;
    }
}
