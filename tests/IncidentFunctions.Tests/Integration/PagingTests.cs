using Azure.Data.Tables;
using Azure.Storage.Queues;
using IncidentFunctions.Incidents;
using IncidentFunctions.Ingestion;
using IncidentFunctions.Lifecycle;
using IncidentFunctions.Model;
using IncidentFunctions.Notifications;
using IncidentFunctions.Paging;
using IncidentFunctions.Tests.Infrastructure;
using IncidentFunctions.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IncidentFunctions.Tests.Integration;

/// <summary>
/// Who sends a page, and that it is sent once: the alert processor pages level 1 as it opens an incident, the
/// orchestration sends the same page under the same id, and the notification's claim lets exactly one of them email.
/// Real orchestrations on the Durable Task test host, Azurite, MailDev.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class PagingTests(PipelineFixture fixture)
{
    const double Delay = 2;

    [Fact]
    public async Task TheFirstPagesWarmUpAtStartRunsItsReadsAndWritesAndStoresNothing()
    {
        await using var host = await LifecycleHost.StartAsync(fixture, new TestPolicy());
        var warmUp = host.Services.GetServices<IHostedService>().OfType<FirstPageWarmUp>().Single();
        var meter = host.Services.GetRequiredService<StorageRequestMeter>();
        var (reads, batches, replaces, puts) = (meter.Total("table", "GET"), meter.Total("table", "POST"), meter.Total("table", "PUT"), meter.Total("queue", "POST"));

        await warmUp.StartAsync(CancellationToken.None);

        // The opening's transaction and the page's record, each refused; the key, incident, claim and sent-event reads;
        // the key's claim and the index row, refused; the alerts' message, refused for want of its queue.
        Assert.True(meter.Total("table", "POST") - batches >= 2, "the warm-up ran no transaction");
        Assert.True(meter.Total("table", "GET") - reads >= 4, "the warm-up read nothing");
        Assert.True(meter.Total("table", "PUT") - replaces >= 2, "the warm-up wrote neither the key's claim nor the index row");
        Assert.True(meter.Total("queue", "POST") - puts >= 1, "the warm-up queued no message");
        var tables = host.Services.GetRequiredService<TableServiceClient>();
        foreach (var table in StorageBootstrap.Tables)
        {
            await foreach (var row in tables.GetTableClient(table).QueryAsync<TableEntity>($"PartitionKey eq '{FirstPageWarmUp.AbsentIncidentId}'"))
            {
                Assert.Fail($"The warm-up wrote {table} row {row.PartitionKey}/{row.RowKey}.");
            }
        }

        var keys = tables.GetTableClient(TableNames.AlertKeys).QueryAsync<TableEntity>($"PartitionKey ge '{FirstPageWarmUp.Integration}|' and PartitionKey lt '{FirstPageWarmUp.Integration}}}'");
        await foreach (var row in keys)
        {
            Assert.Fail($"The warm-up claimed the key {row.PartitionKey}.");
        }

        await foreach (var row in tables.GetTableClient(TableNames.IncidentIndex).QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey"]))
        {
            Assert.DoesNotContain(FirstPageWarmUp.AbsentIncidentId, row.RowKey, StringComparison.Ordinal);
        }

        var queues = host.Services.GetRequiredService<QueueServiceClient>();
        Assert.False((await queues.GetQueueClient(QueueNames.AbsentForWarmUp).ExistsAsync()).Value, "the warm-up created a queue");
    }

    [Fact]
    public async Task TheOpeningAlertPagesLevelOneItselfAndTheOrchestrationNeverPagesItAgain()
    {
        var policy = new TestPolicy { Levels = [new(["person:alice"], Delay), new(["person:bob"], Delay)] };
        await using var host = await LifecycleHost.StartAsync(fixture, policy);

        var incident = await host.FireAsync(TestAlerts.NewKey());

        // Recorded by the time the processor is done with the alert: no orchestration step stood in between.
        var firstPage = Assert.Single(await host.EventsAsync(incident.Id), e => e.Type == TimelineEventTypes.NotificationSent);
        Assert.Equal($"notify-{IncidentPager.FirstPageId}-alice", firstPage.Id);

        await host.PhaseAsync(incident.Id, LifecyclePhases.Exhausted);
        var emails = await Eventually.Get(() => host.EmailsAsync(incident.Id)!, e => e!.Count >= 5, "level 1, level 2 and exhaustion emails");
        Assert.Single(emails, e => e.Header(NotificationHeaders.Kind) == "page" && e.IsTo(policy.Email("alice")));
        Assert.Single(emails, e => e.Header(NotificationHeaders.Kind) == "page" && e.IsTo(policy.Email("bob")));

        // Level 2 is due the policy's delay after the page that went out, not after the orchestration caught up with it.
        var events = await host.EventsAsync(incident.Id);
        var escalated = Assert.Single(events, e => e.Type == TimelineEventTypes.IncidentEscalated);
        Assert.Equal(firstPage.At.AddSeconds(Delay), DateTimeOffset.Parse(escalated.Data!["dueAt"]));
        Assert.Single(events, e => e.Id == firstPage.Id);
        Assert.Single(events, e => e.Type == TimelineEventTypes.IncidentOpened);
    }

    [Fact]
    public async Task AnAlertHandedOffOnArrivalIsPagedWithoutTheQueueTriggerAndItsMessageDeleted()
    {
        await using var host = await LifecycleHost.StartAsync(fixture, new TestPolicy { Levels = [new(["person:alice"], 600)] });
        var key = TestAlerts.NewKey();
        var alert = TestAlerts.Firing(host.Integration, key);
        var payloads = host.Services.GetRequiredService<AlertPayloads>();
        var enqueued = await payloads.TryEnqueueAsync(new AlertBatch(alert.Id, host.Integration, alert.ReceivedAt, [alert]), handOff: true, CancellationToken.None);

        // This host runs no queue trigger, and the message is hidden anyway: only the hand-off can open the incident.
        host.Services.GetRequiredService<AlertHandoff>().Start(enqueued.HandOff!, host.Lifecycle);

        var incident = await Eventually.Get(async () => await host.Incidents.FindKeyAsync(host.Integration, key, CancellationToken.None), "the incident");
        await Eventually.Get(() => host.EmailsAsync(incident.IncidentId)!, e => e!.Count == 1, "the first page");
        var queue = fixture.Azurite.Queues.GetQueueClient(QueueNames.Alerts);
        await Eventually.Get(async () => (int?)(await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount, n => n == 0, "the message deleted");
    }

    [Fact]
    public async Task TheFirstPagesOfTwoIncidentsAreTwoEmailsNotOneMessageSeenTwice()
    {
        await using var host = await LifecycleHost.StartAsync(fixture, new TestPolicy { Levels = [new(["person:alice"], 600)] });
        var first = await host.FireAsync(TestAlerts.NewKey());
        var second = await host.FireAsync(TestAlerts.NewKey());

        // The page's id is the same in every incident; what a relay or ACS deduplicates on must not be.
        var ids = new[] { first.Id, second.Id }.Select(async id => Assert.Single(await host.EmailsAsync(id)).Header("Message-ID")).ToList();
        var messageIds = await Task.WhenAll(ids);
        Assert.All(messageIds, Assert.NotNull);
        Assert.NotEqual(messageIds[0], messageIds[1]);
        var opened = new[] { first.Id, second.Id }.Select(async id => Assert.Single(await host.EventsAsync(id), e => e.Type == TimelineEventTypes.IncidentOpened).Id);
        Assert.Equal(2, (await Task.WhenAll(opened)).Distinct().Count());
    }

    [Fact]
    public async Task AnIncidentAcknowledgedBeforeItsOrchestrationBeginsTellsTheFirstPagedOfTheResolution()
    {
        var policy = new TestPolicy { Levels = [new(["person:alice"], 600)] };
        await using var host = await LifecycleHost.StartAsync(fixture, policy);
        var key = TestAlerts.NewKey();

        // The orchestration's start is still on its way (a busy task hub can take seconds): the page is not.
        await host.Processor.ProcessAsync(TestAlerts.Firing(host.Integration, key), new NotStartedYet(), CancellationToken.None);
        var incident = await host.IncidentForAsync(key);
        Assert.Single(await host.EmailsAsync(incident.Id));
        var ack = await host.Responder.AcknowledgeAsync(incident.Id, "alice", Channels.EmailLink, new NotStartedYet(), CancellationToken.None);
        Assert.Equal(TransitionOutcome.Applied, ack.Outcome);

        Assert.True(await host.Lifecycle.EnsureStartedAsync(incident.Id, opening: null, CancellationToken.None));
        await AliceWasPagedAndToldOfTheResolutionAsync(host, incident.Id, policy);
    }

    [Fact]
    public async Task AnOrchestrationBegunAfterTheFirstPageWentOutTimesLevelTwoFromItAndCountsItsRecipientsAsPaged()
    {
        var policy = new TestPolicy { Levels = [new(["person:alice", "person:bob"], 600)] };
        await using var host = await LifecycleHost.StartAsync(fixture, policy);
        var key = TestAlerts.NewKey();
        await host.Processor.ProcessAsync(TestAlerts.Firing(host.Integration, key), new NotStartedYet(), CancellationToken.None);
        var incident = await host.IncidentForAsync(key);
        var firstPage = (await host.EventsAsync(incident.Id)).Where(e => e.Type == TimelineEventTypes.NotificationSent).ToList();
        Assert.Equal(2, firstPage.Count);

        Assert.True(await host.Lifecycle.EnsureStartedAsync(incident.Id, opening: null, CancellationToken.None));
        var status = await host.PhaseAsync(incident.Id, LifecyclePhases.Triggered, level: 1);

        // BeginIncident reported the page as sent, so the orchestration took it as it was (see IncidentPager.StatusAsync).
        Assert.Equal(firstPage[0].At.AddSeconds(600), status.NextAt);

        // Counted as paged all the same: both hear of the resolution.
        await host.Responder.ResolveAsync(incident.Id, "alice", Channels.Api, host.Lifecycle, CancellationToken.None);
        await host.CompletedAsync(incident.Id);
        var resolved = (await host.EmailsAsync(incident.Id)).Where(e => e.Header(NotificationHeaders.Kind) == "resolved").ToList();
        Assert.Equal(2, resolved.Count);
    }

    [Fact]
    public async Task SendersRacingOnOneNotificationEmailEachRecipientOnceAndAgreeOnItsTime()
    {
        await using var host = await LifecycleHost.StartAsync(fixture, new TestPolicy { Levels = [new(["person:alice"], 600)] });
        var incident = await host.FireAsync(TestAlerts.NewKey());
        var pager = host.Services.GetRequiredService<IncidentPager>();
        var request = new NotifyRequest(incident.Id, Guid.NewGuid().ToString("N"), NotificationKind.Page, 2, host.Recipients("bob", "carol"), DateTimeOffset.UtcNow);

        var times = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => pager.SendAsync(request, known: null, CancellationToken.None))));

        Assert.Single(times.Distinct());
        var emails = await host.EmailsAsync(incident.Id);
        Assert.Single(emails, e => e.IsTo(host.Policy.Email("bob")));
        Assert.Single(emails, e => e.IsTo(host.Policy.Email("carol")));
        var sent = (await host.EventsAsync(incident.Id)).Where(e => e.Type == TimelineEventTypes.NotificationSent && e.Data!["level"] == "2").ToList();
        Assert.Equal(["bob", "carol"], sent.Select(e => e.Data!["recipient"]).Order());
        Assert.All(sent, e => Assert.Equal(times[0], e.At));
    }

    [Fact]
    public async Task ANotificationWhoseSenderDiedIsTakenOverWhenItsLeaseRunsOut()
    {
        await using var host = await LifecycleHost.StartAsync(fixture, new TestPolicy { Levels = [new(["person:alice"], 600)] });
        var incident = await host.FireAsync(TestAlerts.NewKey());
        var pager = host.Services.GetRequiredService<IncidentPager>();
        var notificationId = Guid.NewGuid().ToString("N");
        var claimedAt = DateTimeOffset.UtcNow.AddSeconds(-5);
        var dead = new NotificationClaimEntity
        {
            PartitionKey = incident.Id,
            RowKey = NotificationClaimEntity.RowKeyOf(notificationId),
            At = claimedAt,
            Owner = "a sender that crashed before emailing",
            LeaseUntil = DateTimeOffset.UtcNow.AddSeconds(1.5),
        };
        Assert.True(await host.Incidents.TryWriteClaimAsync(dead, CancellationToken.None));

        var at = await pager.SendAsync(
            new NotifyRequest(incident.Id, notificationId, NotificationKind.Page, 2, host.Recipients("bob"), DateTimeOffset.UtcNow), known: null, CancellationToken.None);

        Assert.True(DateTimeOffset.UtcNow >= dead.LeaseUntil, "the lease was still held when the notification was taken over");
        Assert.Equal(claimedAt, at);
        Assert.Single(await host.EmailsAsync(incident.Id), e => e.IsTo(host.Policy.Email("bob")));
        var sent = Assert.Single(await host.EventsAsync(incident.Id), e => e.Type == TimelineEventTypes.NotificationSent && e.Data!["recipient"] == "bob");
        Assert.Equal(claimedAt, sent.At);
    }

    [Fact]
    public async Task ASendThatFailsLetsGoOfItsClaimSoARetryNeedNotWaitOutTheLease()
    {
        await using var relay = new ScriptedSmtpServer("451 4.3.0 Try again later");
        await using var host = await LifecycleHost.StartAsync(fixture, new TestPolicy(), new Dictionary<string, string?> { ["Email:Smtp:Port"] = relay.Port.ToString() });
        var id = await host.CreateIncidentAsync();
        var pager = host.Services.GetRequiredService<IncidentPager>();
        var request = new NotifyRequest(id, Guid.NewGuid().ToString("N"), NotificationKind.Page, 1, host.Recipients("alice"), DateTimeOffset.UtcNow);

        await Assert.ThrowsAnyAsync<Exception>(() => pager.SendAsync(request, known: null, CancellationToken.None));

        var claim = await host.Incidents.FindClaimAsync(id, request.NotificationId, CancellationToken.None);
        Assert.NotNull(claim);
        Assert.Null(claim.Owner);
        Assert.True(claim.LeaseUntil <= DateTimeOffset.UtcNow);
        Assert.DoesNotContain(await host.EventsAsync(id), e => e.Type == TimelineEventTypes.NotificationSent);
    }

    [Fact]
    public async Task AnAcknowledgementStoredJustBeforeTheOrchestrationStartedWithTheOpeningStillStopsTheEscalation()
    {
        var policy = new TestPolicy { Levels = [new(["person:alice"], Delay), new(["person:bob"], Delay)] };
        await using var host = await LifecycleHost.StartAsync(fixture, policy);
        var key = TestAlerts.NewKey();
        var lifecycle = new AcknowledgedJustBeforeStart(host);

        await host.Processor.ProcessAsync(TestAlerts.Firing(host.Integration, key), lifecycle, CancellationToken.None);
        var incident = await host.IncidentForAsync(key);

        // Started with the opening: the orchestration never read the row, and the acknowledgement's signal was lost.
        Assert.NotNull(lifecycle.Opening);
        await AliceWasPagedAndToldOfTheResolutionAsync(host, incident.Id, policy);
    }

    [Fact]
    public async Task APageThatGoesOutLateSaysSoOnTheTimelineWithHowLate()
    {
        await using var host = await LifecycleHost.StartAsync(fixture, new TestPolicy { Levels = [new(["person:alice"], 600)] });
        var id = await host.CreateIncidentAsync();
        var pager = host.Services.GetRequiredService<IncidentPager>();
        var now = DateTimeOffset.UtcNow;

        await pager.SendAsync(new NotifyRequest(id, "late", NotificationKind.Page, 2, host.Recipients("bob"), now, DueAt: now.AddSeconds(-42)), known: null, CancellationToken.None);
        await pager.SendAsync(new NotifyRequest(id, "on-time", NotificationKind.Page, 2, host.Recipients("carol"), now, DueAt: now), known: null, CancellationToken.None);

        var events = await host.EventsAsync(id);
        var late = Assert.Single(events, e => e.Id == "notify-late-bob");
        Assert.InRange(double.Parse(late.Data![Lateness.DataKey], System.Globalization.CultureInfo.InvariantCulture), 42, 100);
        Assert.EndsWith(" late", late.Summary);
        var onTime = Assert.Single(events, e => e.Id == "notify-on-time-carol");
        Assert.False(onTime.Data!.ContainsKey(Lateness.DataKey));
        Assert.DoesNotContain("late", onTime.Summary);
    }

    [Fact]
    public async Task APageHandedOverBeforeItIsDueGoesOutAtItsDueTimeNotBefore()
    {
        await using var host = await LifecycleHost.StartAsync(fixture, new TestPolicy { Levels = [new(["person:alice"], 600)] });
        var id = await host.CreateIncidentAsync();
        var pager = host.Services.GetRequiredService<IncidentPager>();
        var now = DateTimeOffset.UtcNow;
        var due = now.AddSeconds(1.5);

        // As the orchestration hands it over when its timer fired early (queue delays are whole seconds).
        var at = await pager.SendAsync(new NotifyRequest(id, "early-timer", NotificationKind.Page, 2, host.Recipients("bob"), now, DueAt: due), known: null, CancellationToken.None);

        // MailDev times emails by their Date header, in whole seconds; the claim and this clock are precise.
        Assert.True(DateTimeOffset.UtcNow >= due, "the send returned before the page was due");
        Assert.True(at >= due, $"the page was timed {at:O}, before it was due at {due:O}");
        var sent = Assert.Single(await host.EventsAsync(id), e => e.Id == "notify-early-timer-bob");
        Assert.True(sent.At >= due);
        Assert.False(sent.Data!.ContainsKey(Lateness.DataKey));
        Assert.Single(await host.EmailsAsync(id), e => e.IsTo(host.Policy.Email("bob")));
    }

    [Fact]
    public async Task ASendThatFailsPartWayKeepsWhoWasEmailedOnTheRecordSoTheRetryEmailsOnlyTheRest()
    {
        var policy = new TestPolicy();
        await using var relay = new ScriptedSmtpServer("451 4.3.0 Try again later", onlyFor: policy.Email("bob"));
        await using var host = await LifecycleHost.StartAsync(fixture, policy, new Dictionary<string, string?> { ["Email:Smtp:Port"] = relay.Port.ToString() });
        var id = await host.CreateIncidentAsync();
        var pager = host.Services.GetRequiredService<IncidentPager>();
        var request = new NotifyRequest(id, Guid.NewGuid().ToString("N"), NotificationKind.Page, 1, host.Recipients("alice", "bob"), DateTimeOffset.UtcNow);

        await Assert.ThrowsAnyAsync<Exception>(() => pager.SendAsync(request, known: null, CancellationToken.None));
        var sent = Assert.Single(await host.EventsAsync(id), e => e.Type == TimelineEventTypes.NotificationSent);
        Assert.Equal("alice", sent.Data!["recipient"]);

        var tried = relay.RecipientsTried;
        await Assert.ThrowsAnyAsync<Exception>(() => pager.SendAsync(request, known: null, CancellationToken.None));
        Assert.Equal(tried + 1, relay.RecipientsTried);
    }

    /// <summary>
    /// The lifecycle seam, with someone acknowledging the incident right before its orchestration is started (their
    /// signal lost, as it is for an instance that does not exist yet).
    /// </summary>
    sealed class AcknowledgedJustBeforeStart(LifecycleHost host) : IIncidentLifecycle
    {
        public OpeningDone? Opening { get; private set; }

        public async Task<bool> EnsureStartedAsync(string incidentId, OpeningDone? opening, CancellationToken ct)
        {
            Opening = opening;
            var ack = await host.Responder.AcknowledgeAsync(incidentId, "alice", Channels.Api, new NotStartedYet(), ct);
            Assert.Equal(TransitionOutcome.Applied, ack.Outcome);
            return await host.Lifecycle.EnsureStartedAsync(incidentId, opening, ct);
        }

        public Task SignalAsync(string incidentId, LifecycleSignal signal, CancellationToken ct) => host.Lifecycle.SignalAsync(incidentId, signal, ct);
    }

    /// <summary>
    /// Waits for the incident to be acknowledged, resolves it, and checks that alice alone was emailed: the first page
    /// and the resolution, nothing between (no level 2).
    /// </summary>
    static async Task AliceWasPagedAndToldOfTheResolutionAsync(LifecycleHost host, string incidentId, TestPolicy policy)
    {
        await host.PhaseAsync(incidentId, LifecyclePhases.Acknowledged);
        await host.Responder.ResolveAsync(incidentId, "alice", Channels.Api, host.Lifecycle, CancellationToken.None);
        await host.CompletedAsync(incidentId);
        var emails = await host.EmailsAsync(incidentId);
        Assert.Equal(["page", "resolved"], emails.Select(e => e.Header(NotificationHeaders.Kind)));
        Assert.All(emails, e => Assert.True(e.IsTo(policy.Email("alice"))));
    }

    /// <summary>
    /// The lifecycle seam as it is while a start is still queued in the task hub: nothing runs yet, and a signal raised
    /// now is lost. The test starts the real orchestration itself afterwards.
    /// </summary>
    sealed class NotStartedYet : IIncidentLifecycle
    {
        public Task<bool> EnsureStartedAsync(string incidentId, OpeningDone? opening, CancellationToken ct) => Task.FromResult(false);

        public Task SignalAsync(string incidentId, LifecycleSignal signal, CancellationToken ct) => Task.CompletedTask;
    }
}
