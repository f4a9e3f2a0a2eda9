using IncidentFunctions.DevHost.Local;
using IncidentFunctions.Lifecycle;
using IncidentFunctions.Model;
using IncidentFunctions.Notifications;
using IncidentFunctions.Opening;
using IncidentFunctions.Paging;
using IncidentFunctions.TestTools;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace IncidentFunctions.Tests.Integration;

/// <summary>
/// The incident lifecycle as it runs: the real orchestration and activities on the Durable Task test host, with
/// second-scale escalation delays, incidents in Azurite and every email delivered to a real SMTP inbox (MailDev).
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class LifecycleTests(PipelineFixture fixture)
{
    const double Delay = 2;

    [Fact]
    public async Task EscalationPagesEachLevelInOrderAfterItsDelayThenTellsTheTeamOnce()
    {
        var policy = new TestPolicy { Levels = [new(["person:alice"], Delay), new(["team:platform"], Delay)] };
        await using var host = await LifecycleHost.StartAsync(fixture, policy);

        var incident = await host.FireAsync(TestAlerts.NewKey());
        await host.PhaseAsync(incident.Id, LifecyclePhases.Exhausted);
        var emails = await EmailsAsync(host, incident.Id, count: 7);

        Assert.Equal(
            [
                ("page", "1", "alice"),
                ("page", "2", "alice"), ("page", "2", "bob"), ("page", "2", "carol"),
                ("exhausted", "", "alice"), ("exhausted", "", "bob"), ("exhausted", "", "carol"),
            ],
            emails.Select(e => Describe(policy, e)));

        var events = await host.EventsAsync(incident.Id);
        var sent = events.Where(e => e.Type == TimelineEventTypes.NotificationSent).ToList();
        var level1 = sent.Single(e => e.Data!["level"] == "1").At;
        var level2 = sent.Where(e => e.Data!["level"] == "2").Select(e => e.At).Distinct().Single();
        Assert.True(level2 - level1 >= TimeSpan.FromSeconds(Delay), $"level 2 was paged {(level2 - level1).TotalSeconds:0.00}s after level 1; the policy says {Delay}s");
        var escalated = events.Single(e => e.Type == TimelineEventTypes.IncidentEscalated);
        Assert.Equal("2", escalated.Data!["level"]);
        Assert.True(escalated.At >= DateTimeOffset.Parse(escalated.Data["dueAt"]));
        var story = events.Select(e => e.Type == TimelineEventTypes.NotificationSent ? "sent:" + e.Data!["level"] : e.Type).ToList();
        Assert.Equal(
            [TimelineEventTypes.IncidentEscalated, "sent:2", "sent:2", "sent:2"],
            story.Skip(story.IndexOf(TimelineEventTypes.IncidentEscalated)).Take(4));
        Assert.Single(events, e => e.Type == TimelineEventTypes.EscalationExhausted);

        var triaged = await host.ReadAsync(incident.Id);
        Assert.Equal(nameof(Priority.P1), triaged.Priority);
        Assert.Equal("Checkout", triaged.ServiceName);
        Assert.StartsWith("test-" + policy.Suffix, triaged.PolicyVersion);
        Assert.Equal(
            [TimelineEventTypes.AlertReceived, TimelineEventTypes.IncidentOpened, TimelineEventTypes.IncidentTriaged, TimelineEventTypes.IncidentRouted],
            events.Select(e => e.Type).Where(t => t is TimelineEventTypes.AlertReceived or TimelineEventTypes.IncidentOpened or TimelineEventTypes.IncidentTriaged or TimelineEventTypes.IncidentRouted));
    }

    [Fact]
    public async Task ThePolicyRepeatsTheConfiguredNumberOfTimesBeforeExhaustion()
    {
        var policy = new TestPolicy { Levels = [new(["person:alice"], 1), new(["person:bob"], 1)], Repeat = 1 };
        await using var host = await LifecycleHost.StartAsync(fixture, policy);

        var incident = await host.FireAsync(TestAlerts.NewKey());
        await host.PhaseAsync(incident.Id, LifecyclePhases.Exhausted);
        var emails = await EmailsAsync(host, incident.Id, count: 7);

        Assert.Equal(
            [
                ("page", "1", "alice"), ("page", "2", "bob"), ("page", "1", "alice"), ("page", "2", "bob"),
                ("exhausted", "", "alice"), ("exhausted", "", "bob"), ("exhausted", "", "carol"),
            ],
            emails.Select(e => Describe(policy, e)));
    }

    [Fact]
    public async Task AcknowledgingStopsEscalationAndResolvingTellsEveryonePaged()
    {
        var policy = new TestPolicy { Levels = [new(["person:alice", "person:bob"], Delay), new(["person:carol"], Delay)] };
        await using var host = await LifecycleHost.StartAsync(fixture, policy);
        var incident = await host.FireAsync(TestAlerts.NewKey());
        await EmailsAsync(host, incident.Id, count: 2);

        var ack = await host.Responder.AcknowledgeAsync(incident.Id, "alice", Channels.Api, host.Lifecycle, CancellationToken.None);
        Assert.Equal(TransitionOutcome.Applied, ack.Outcome);
        await host.PhaseAsync(incident.Id, LifecyclePhases.Acknowledged);
        var resolve = await host.Responder.ResolveAsync(incident.Id, "bob", Channels.Api, host.Lifecycle, CancellationToken.None);
        Assert.Equal(TransitionOutcome.Applied, resolve.Outcome);
        await host.CompletedAsync(incident.Id);

        // The orchestration has ended: whatever MailDev holds now is everything this incident will ever send.
        var emails = await EmailsAsync(host, incident.Id, count: 4);
        Assert.Equal(
            [("page", "1", "alice"), ("page", "1", "bob"), ("resolved", "", "alice"), ("resolved", "", "bob")],
            emails.Select(e => Describe(policy, e)));
        var events = await host.EventsAsync(incident.Id);
        Assert.DoesNotContain(events, e => e.Type == TimelineEventTypes.IncidentEscalated);
        var acknowledged = Assert.Single(events, e => e.Type == TimelineEventTypes.IncidentAcknowledged);
        Assert.Equal(("alice", Channels.Api), (acknowledged.Actor, acknowledged.Channel));
        var resolved = Assert.Single(events, e => e.Type == TimelineEventTypes.IncidentResolved);
        Assert.Equal(("bob", Channels.Api), (resolved.Actor, resolved.Channel));
    }

    [Fact]
    public async Task AnAcknowledgementThatGoesStaleReTriggersAndPagesAgain()
    {
        var policy = new TestPolicy { Levels = [new(["person:alice"], 600)], AckTimeoutSeconds = 2 };
        await using var host = await LifecycleHost.StartAsync(fixture, policy);
        var incident = await host.FireAsync(TestAlerts.NewKey());
        await EmailsAsync(host, incident.Id, count: 1);

        await host.Responder.AcknowledgeAsync(incident.Id, "alice", Channels.EmailLink, host.Lifecycle, CancellationToken.None);

        var emails = await EmailsAsync(host, incident.Id, count: 2);
        Assert.Equal([("page", "1", "alice"), ("retriggered", "1", "alice")], emails.Select(e => Describe(policy, e)));
        var events = await host.EventsAsync(incident.Id);
        var acknowledged = events.Single(e => e.Type == TimelineEventTypes.IncidentAcknowledged);
        var retriggered = events.Single(e => e.Type == TimelineEventTypes.IncidentRetriggered);
        Assert.True(retriggered.At - acknowledged.At >= TimeSpan.FromSeconds(2));
        Assert.Equal(IncidentStatus.Open, (await host.ReadAsync(incident.Id)).StatusValue);

        // It can be acknowledged again, and that acknowledgement holds the pages off again.
        var again = await host.Responder.AcknowledgeAsync(incident.Id, "alice", Channels.Api, host.Lifecycle, CancellationToken.None);
        Assert.Equal(TransitionOutcome.Applied, again.Outcome);
    }

    [Fact]
    public async Task ASourceResolveResolvesTheIncidentWhenThePolicyAutoResolves()
    {
        var policy = new TestPolicy { AutoResolve = true };
        await using var host = await LifecycleHost.StartAsync(fixture, policy);
        var key = TestAlerts.NewKey();
        var incident = await host.FireAsync(key);
        await EmailsAsync(host, incident.Id, count: 1);

        await host.FireAsync(key, AlertStatus.Resolved);
        await host.CompletedAsync(incident.Id);

        var resolved = await host.ReadAsync(incident.Id);
        Assert.Equal(IncidentStatus.Resolved, resolved.StatusValue);
        Assert.Equal((host.Integration, Channels.Source), (resolved.ResolvedBy, resolved.ResolvedVia));
        var emails = await EmailsAsync(host, incident.Id, count: 2);
        Assert.Equal([("page", "1", "alice"), ("resolved", "", "alice")], emails.Select(e => Describe(policy, e)));
    }

    [Fact]
    public async Task ASourceResolveIsOnlyNotedWhenThePolicyDoesNotAutoResolve()
    {
        var policy = new TestPolicy { AutoResolve = false, Levels = [new(["person:alice"], Delay), new(["person:bob"], Delay)] };
        await using var host = await LifecycleHost.StartAsync(fixture, policy);
        var key = TestAlerts.NewKey();
        var incident = await host.FireAsync(key);

        await host.FireAsync(key, AlertStatus.Resolved);
        await Eventually.Get(
            async () => (await host.EventsAsync(incident.Id)).FirstOrDefault(e => e.Type == TimelineEventTypes.AutoResolveSkipped),
            "the skipped auto-resolve on the timeline");

        // Escalation carries on: the source's word is not enough under this policy.
        await host.PhaseAsync(incident.Id, LifecyclePhases.Triggered, level: 2);
        Assert.Equal(IncidentStatus.Open, (await host.ReadAsync(incident.Id)).StatusValue);
        var emails = await EmailsAsync(host, incident.Id, count: 2);
        Assert.Equal([("page", "1", "alice"), ("page", "2", "bob")], emails.Select(e => Describe(policy, e)));
    }

    [Fact]
    public async Task AnAcknowledgementStoredBeforeTheOrchestrationStartsIsHonoured()
    {
        var policy = new TestPolicy { Levels = [new(["person:alice"], Delay), new(["person:bob"], Delay)] };
        await using var host = await LifecycleHost.StartAsync(fixture, policy);
        var id = await host.CreateIncidentAsync();

        // The orchestration does not exist yet: the raised event is discarded, but the row keeps the acknowledgement.
        var ack = await host.Responder.AcknowledgeAsync(id, "carol", Channels.EmailLink, host.Lifecycle, CancellationToken.None);
        Assert.Equal(TransitionOutcome.Applied, ack.Outcome);
        Assert.True(await host.Lifecycle.EnsureStartedAsync(id, opening: null, CancellationToken.None));

        await host.PhaseAsync(id, LifecyclePhases.Acknowledged);
        await host.Responder.ResolveAsync(id, "carol", Channels.Api, host.Lifecycle, CancellationToken.None);
        await host.CompletedAsync(id);
        Assert.Empty(await host.EmailsAsync(id));
        Assert.DoesNotContain(await host.EventsAsync(id), e => e.Type == TimelineEventTypes.NotificationSent);
    }

    [Fact]
    public async Task AcknowledgeRacingResolveEndsInOneConsistentState()
    {
        var policy = new TestPolicy { Levels = [new(["person:alice"], Delay)] };
        await using var host = await LifecycleHost.StartAsync(fixture, policy);
        var key = TestAlerts.NewKey();
        var incident = await host.FireAsync(key);

        var ack = Task.Run(() => host.Responder.AcknowledgeAsync(incident.Id, "alice", Channels.EmailLink, host.Lifecycle, CancellationToken.None));
        var resolve = Task.Run(() => host.FireAsync(key, AlertStatus.Resolved));
        var bob = Task.Run(() => host.Responder.ResolveAsync(incident.Id, "bob", Channels.Api, host.Lifecycle, CancellationToken.None));
        await Task.WhenAll(ack, resolve, bob);
        await host.CompletedAsync(incident.Id);

        var final = await host.ReadAsync(incident.Id);
        Assert.Equal(IncidentStatus.Resolved, final.StatusValue);
        var events = await host.EventsAsync(incident.Id);
        var resolvedEvent = Assert.Single(events, e => e.Type == TimelineEventTypes.IncidentResolved);
        Assert.Equal((final.ResolvedBy, final.ResolvedAt), (resolvedEvent.Actor, (DateTimeOffset?)resolvedEvent.At));
        if ((await ack).Outcome == TransitionOutcome.Applied)
        {
            Assert.True(final.AcknowledgedAt <= final.ResolvedAt);
        }
        else
        {
            Assert.Equal(TransitionOutcome.Superseded, (await ack).Outcome);
            Assert.Equal(final.ResolvedBy, (await ack).ActedBy);
        }

        // Bob either won or was told who did.
        var bobs = await bob;
        Assert.Equal(final.ResolvedBy, bobs.ActedBy);
    }

    [Fact]
    public async Task NotificationsPerIncidentStopAtThePolicyBudget()
    {
        var policy = new TestPolicy { Levels = [new(["team:platform"], 1)], Repeat = 3, MaxNotifications = 4 };
        await using var host = await LifecycleHost.StartAsync(fixture, policy);
        var incident = await host.FireAsync(TestAlerts.NewKey());
        await host.PhaseAsync(incident.Id, LifecyclePhases.Exhausted);
        await host.Responder.ResolveAsync(incident.Id, "alice", Channels.Api, host.Lifecycle, CancellationToken.None);
        await host.CompletedAsync(incident.Id);

        var emails = await host.EmailsAsync(incident.Id);
        Assert.Equal(4, emails.Count(e => e.Header(NotificationHeaders.Kind) != "resolved"));
        var events = await host.EventsAsync(incident.Id);
        Assert.Single(events, e => e.Type == TimelineEventTypes.NotificationSuppressed);

        // Escalations are on the record even when the budget leaves nobody to email.
        Assert.Equal(["1", "2", "3"], events.Where(e => e.Type == TimelineEventTypes.IncidentEscalated).Select(e => e.Data!["cycle"]));
    }

    [Fact]
    public async Task ARetriedNotifyActivitySendsEachEmailOnce()
    {
        await using var host = await LifecycleHost.StartAsync(fixture, new TestPolicy { Levels = [new(["person:alice"], 600)] });
        var incident = await host.FireAsync(TestAlerts.NewKey());
        await EmailsAsync(host, incident.Id, count: 1);
        var activities = host.Services.GetRequiredService<LifecycleActivities>();
        var recipients = host.Recipients("bob", "carol");
        var request = new NotifyRequest(incident.Id, Guid.NewGuid().ToString("N"), NotificationKind.Page, 2, recipients, DateTimeOffset.UtcNow);

        await activities.NotifyRecipients(request, CancellationToken.None);
        await activities.NotifyRecipients(request, CancellationToken.None);

        var emails = await EmailsAsync(host, incident.Id, count: 3);
        Assert.Single(emails, e => e.IsTo(host.Policy.Email("bob")));
        Assert.Single(emails, e => e.IsTo(host.Policy.Email("carol")));
        var sent = (await host.EventsAsync(incident.Id)).Where(e => e.Type == TimelineEventTypes.NotificationSent && e.Data!["level"] == "2");
        Assert.Equal(2, sent.Count());
    }

    [Fact]
    public async Task APageGoesOutWhileTheIncidentIsOpenAndNotOnceItIsAcknowledgedEvenBeforeTheSignalArrives()
    {
        await using var host = await LifecycleHost.StartAsync(fixture, new TestPolicy { Levels = [new(["person:alice"], 600)] });
        var incident = await host.FireAsync(TestAlerts.NewKey());
        await EmailsAsync(host, incident.Id, count: 1);
        var activities = host.Services.GetRequiredService<LifecycleActivities>();

        var toBob = await activities.PageIfOpen(new PageRequest(Escalation(incident.Id, 2, host.Recipients("bob")), null), CancellationToken.None);
        Assert.NotNull(toBob.SentAt);
        Assert.Null(toBob.Changed);

        // Stored with its signal lost, as while it is still on its way: the orchestration does not know yet.
        await host.Responder.AcknowledgeAsync(incident.Id, "alice", Channels.Api, new SignalLost(), CancellationToken.None);
        var toCarol = Escalation(incident.Id, 3, host.Recipients("carol"));
        var skipped = await activities.PageIfOpen(new PageRequest(toCarol, null), CancellationToken.None);

        Assert.Null(skipped.SentAt);
        Assert.Equal(IncidentStatus.Acknowledged, skipped.Changed?.Status);
        var events = await host.EventsAsync(incident.Id);
        Assert.DoesNotContain(events, e => e.Id == toCarol.Preceding!.Id);
        Assert.DoesNotContain(events, e => e.Type == TimelineEventTypes.NotificationSent && e.Data!["level"] == "3");
        Assert.Single(events, e => e.Type == TimelineEventTypes.NotificationSent && e.Data!["level"] == "2");
        var emails = await host.EmailsAsync(incident.Id);
        Assert.DoesNotContain(emails, e => e.IsTo(host.Policy.Email("carol")));
    }

    /// <summary>A page of an escalation to <paramref name="level"/>, recorded by the activity that sends it.</summary>
    static NotifyRequest Escalation(string incidentId, int level, IReadOnlyList<Recipient> recipients)
    {
        var at = DateTimeOffset.UtcNow;
        var escalated = new TimelineEvent(Guid.NewGuid().ToString("N"), at, TimelineEventTypes.IncidentEscalated, "system", Channels.System, $"Escalated to level {level}", null);
        return new NotifyRequest(incidentId, Guid.NewGuid().ToString("N"), NotificationKind.Page, level, recipients, at.AddTicks(1), escalated, at);
    }

    /// <summary>The lifecycle seam dropping every signal, as the task hub does with one raised while the instance is created.</summary>
    sealed class SignalLost : IIncidentLifecycle
    {
        public Task<bool> EnsureStartedAsync(string incidentId, OpeningDone? opening, CancellationToken ct) => Task.FromResult(true);

        public Task SignalAsync(string incidentId, LifecycleSignal signal, CancellationToken ct) => Task.CompletedTask;
    }

    [Fact]
    public async Task ARecipientTheRelayRefusesIsRecordedOnceAndNotRetried()
    {
        await using var relay = new ScriptedSmtpServer("550 5.1.1 No such user");
        await using var host = await LifecycleHost.StartAsync(fixture, new TestPolicy(), new Dictionary<string, string?> { ["Email:Smtp:Port"] = relay.Port.ToString() });
        var id = await host.CreateIncidentAsync();
        var activities = host.Services.GetRequiredService<LifecycleActivities>();
        var recipients = host.Recipients("alice", "bob");
        var request = new NotifyRequest(id, Guid.NewGuid().ToString("N"), NotificationKind.Page, 1, recipients, DateTimeOffset.UtcNow);

        // Refused addresses do not fail the activity (a retry cannot help), and a retried activity does not try them again.
        await activities.NotifyRecipients(request, CancellationToken.None);
        await activities.NotifyRecipients(request, CancellationToken.None);

        Assert.Equal(2, relay.RecipientsTried);
        var failed = (await host.EventsAsync(id)).Where(e => e.Type == TimelineEventTypes.NotificationFailed).ToList();
        Assert.Equal(["alice", "bob"], failed.Select(e => e.Data!["recipient"]));
        Assert.All(failed, e => Assert.Contains("550", e.Summary));
    }

    /// <summary>Waits until the incident's inbox holds at least <paramref name="count"/> emails.</summary>
    [Fact]
    public async Task AnIncidentOpenedInAMaintenanceWindowIsRecordedAndPagedOnlyIfStillOpenWhenItEnds()
    {
        var end = DateTimeOffset.UtcNow.AddSeconds(8);
        var policy = new TestPolicy { Levels = [new(["person:alice"], 600)], MaintenanceWindows = [("db-upgrade", end.AddHours(-1), end)] };
        await using var host = await LifecycleHost.StartAsync(fixture, policy);

        var incident = await host.FireAsync(TestAlerts.NewKey());
        var status = await host.PhaseAsync(incident.Id, LifecyclePhases.Maintenance);
        Assert.Equal(end.ToUnixTimeSeconds(), status.NextAt!.Value.ToUnixTimeSeconds());
        Assert.Empty(await host.EmailsAsync(incident.Id));

        await host.PhaseAsync(incident.Id, LifecyclePhases.Triggered, level: 1);
        var page = Assert.Single(await EmailsAsync(host, incident.Id, count: 1));
        Assert.Equal(("page", "1", "alice"), Describe(policy, page));

        var events = await host.EventsAsync(incident.Id);
        var suppressed = events.Single(e => e.Type == TimelineEventTypes.MaintenanceSuppressed);
        Assert.Equal("db-upgrade", suppressed.Data!["window"]);
        var ended = events.Single(e => e.Type == TimelineEventTypes.MaintenanceEnded);
        Assert.True(ended.At >= end, $"paging resumed at {ended.At:O}, before the window ended at {end:O}");
        Assert.True(events.Single(e => e.Type == TimelineEventTypes.NotificationSent).At >= ended.At);
    }

    [Fact]
    public async Task AnIncidentResolvedDuringItsMaintenanceWindowIsNeverPaged()
    {
        var now = DateTimeOffset.UtcNow;
        var policy = new TestPolicy { Levels = [new(["person:alice"], 600)], MaintenanceWindows = [("deploy", now.AddMinutes(-5), now.AddMinutes(30))] };
        await using var host = await LifecycleHost.StartAsync(fixture, policy);

        var incident = await host.FireAsync(TestAlerts.NewKey());
        await host.PhaseAsync(incident.Id, LifecyclePhases.Maintenance);
        await host.Responder.ResolveAsync(incident.Id, "bob", Channels.Api, host.Lifecycle, CancellationToken.None);
        await host.CompletedAsync(incident.Id);

        Assert.Empty(await host.EmailsAsync(incident.Id));
        var types = (await host.EventsAsync(incident.Id)).Select(e => e.Type).ToList();
        Assert.Contains(TimelineEventTypes.MaintenanceSuppressed, types);
        Assert.DoesNotContain(TimelineEventTypes.MaintenanceEnded, types);
        Assert.DoesNotContain(TimelineEventTypes.NotificationSent, types);
    }

    [Fact]
    public async Task AnAlertThatKeepsFiringAndResolvingIsPagedForItsFirstIncidentsThenRecordedAsFlapping()
    {
        var policy = new TestPolicy { Levels = [new(["person:alice"], 600)] };
        await using var host = await LifecycleHost.StartAsync(fixture, policy);
        var key = TestAlerts.NewKey("flappy");

        for (var opening = 1; opening < Flapping.DefaultThreshold; opening++)
        {
            var earlier = await host.FireAsync(key);
            Assert.Null(earlier.FlapCount);
            await EmailsAsync(host, earlier.Id, count: 1);
            await host.FireAsync(key, AlertStatus.Resolved);
            await host.CompletedAsync(earlier.Id);
        }

        var flapping = await host.FireAsync(key);
        Assert.Equal(Flapping.DefaultThreshold, flapping.FlapCount);
        var status = await host.PhaseAsync(flapping.Id, LifecyclePhases.Flapping);
        Assert.Equal(flapping.FlappingUntil!.Value.ToUnixTimeSeconds(), status.NextAt!.Value.ToUnixTimeSeconds());

        await host.FireAsync(key, AlertStatus.Resolved);
        await host.CompletedAsync(flapping.Id);
        Assert.Empty(await host.EmailsAsync(flapping.Id));
        var types = (await host.EventsAsync(flapping.Id)).Select(e => e.Type).ToList();
        Assert.Contains(TimelineEventTypes.Flapping, types);
        Assert.DoesNotContain(TimelineEventTypes.NotificationSent, types);
    }

    static async Task<IReadOnlyList<MailDevEmail>> EmailsAsync(LifecycleHost host, string incidentId, int count) =>
        await Eventually.Get(() => host.EmailsAsync(incidentId)!, e => e!.Count >= count, $"{count} emails for {incidentId}");

    /// <summary>(kind, level, person) of an email, ordered so that emails of one notification compare stably.</summary>
    static (string Kind, string Level, string Person) Describe(TestPolicy policy, MailDevEmail email) => (
        email.Header(NotificationHeaders.Kind) ?? "?",
        email.Header(NotificationHeaders.Level) ?? string.Empty,
        TestPolicy.People.Single(p => email.IsTo(policy.Email(p))));
}
