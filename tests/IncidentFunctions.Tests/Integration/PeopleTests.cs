using IncidentFunctions.Access;
using IncidentFunctions.Incidents;
using IncidentFunctions.Lifecycle;
using IncidentFunctions.Model;
using IncidentFunctions.Notifications;
using IncidentFunctions.Responding;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace IncidentFunctions.Tests.Integration;

/// <summary>
/// The people on an incident against Azurite, MailDev and the real incident orchestration: merging a duplicate (its
/// escalation stops, its alerts count into the other incident through the alert pipeline), and the emails of a role
/// hand-off and of added responders, delivered as the coordination orchestration delivers them, repeats included.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class PeopleTests(PipelineFixture fixture) : IAsyncLifetime
{
    static readonly Caller Admin = new("root@example.com", "aad", "root@example.com", null, new HashSet<AppRole> { AppRole.Admin }, null);

    LifecycleHost host = null!;

    public async Task InitializeAsync() => host = await LifecycleHost.StartAsync(fixture);

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task AMergedDuplicateStopsPagingAndItsAlertsCountIntoTheIncidentItWasMergedInto()
    {
        var duplicateKey = TestAlerts.NewKey("dup");
        var duplicate = await host.FireAsync(duplicateKey);
        var target = await host.FireAsync(TestAlerts.NewKey("target"));

        var merged = await Merger.MergeAsync(Admin, duplicate.Id, null, new MergeIncidentRequest(target.Id, "same outage"), NoCoordination.Instance, host.Lifecycle, CancellationToken.None);

        Assert.Null(merged.Refusal);
        var source = await host.ReadAsync(duplicate.Id);
        Assert.Equal((Stage.Merged, target.Id, IncidentStatus.Resolved), (source.ResponseValue.Stage, source.ResponseValue.MergedInto, source.StatusValue));
        await host.CompletedAsync(duplicate.Id);
        var duplicateEvents = await host.EventsAsync(duplicate.Id);
        Assert.Contains(duplicateEvents, e => e.Type == TimelineEventTypes.IncidentMerged && e.Data!["into"] == target.Id);
        Assert.EndsWith($"via api: merged into {target.Id}", Assert.Single(duplicateEvents, e => e.Type == TimelineEventTypes.IncidentResolved).Summary, StringComparison.Ordinal);
        Assert.Equal([duplicate.Id], (await host.ReadAsync(target.Id)).ResponseValue.MergedFrom);
        Assert.Contains(await host.EventsAsync(target.Id), e => e.Type == TimelineEventTypes.DuplicateMerged && e.Data!["source"] == duplicate.Id);

        var repeat = TestAlerts.Firing(host.Integration, duplicateKey);
        Assert.Equal(Ingestion.AlertOutcome.Counted, await host.Processor.ProcessAsync(repeat, host.Lifecycle, CancellationToken.None));
        Assert.Equal(2, (await host.ReadAsync(target.Id)).AlertCount);
        Assert.Equal(1, (await host.ReadAsync(duplicate.Id)).AlertCount);
        Assert.Contains(await host.EventsAsync(target.Id), e => e.Id == repeat.Id && e.Type == TimelineEventTypes.AlertRepeated);

        // The duplicate's source resolving is noted where its alerts now count; it does not resolve that incident.
        var resolve = TestAlerts.Resolved(host.Integration, duplicateKey);
        await host.Processor.ProcessAsync(resolve, host.Lifecycle, CancellationToken.None);
        Assert.Contains(await host.EventsAsync(target.Id), e => e.Id == resolve.Id && e.Type == TimelineEventTypes.AlertResolved);
        Assert.Equal(IncidentStatus.Open, (await host.ReadAsync(target.Id)).StatusValue);
    }

    [Fact]
    public async Task ARetriedMergeFinishesWhatTheFirstLeftAndWritesNothingTwice()
    {
        var duplicate = await host.FireAsync(TestAlerts.NewKey("dup"));
        var target = await host.FireAsync(TestAlerts.NewKey("target"));
        var request = new MergeIncidentRequest(target.Id);

        await Merger.MergeAsync(Admin, duplicate.Id, null, request, NoCoordination.Instance, host.Lifecycle, CancellationToken.None);
        var again = await Merger.MergeAsync(Admin, duplicate.Id, null, request, NoCoordination.Instance, host.Lifecycle, CancellationToken.None);

        Assert.Null(again.Refusal);
        Assert.Single(await host.EventsAsync(duplicate.Id), e => e.Type == TimelineEventTypes.IncidentMerged);
        Assert.Single(await host.EventsAsync(target.Id), e => e.Type == TimelineEventTypes.DuplicateMerged);
        Assert.Equal([duplicate.Id], (await host.ReadAsync(target.Id)).ResponseValue.MergedFrom);
    }

    [Fact]
    public async Task TheNewHolderOfARoleIsEmailedItsInstructionsOnceHoweverOftenTheChangeIsDelivered()
    {
        var id = await host.CreateIncidentAsync();
        var roles = host.Services.GetRequiredService<RoleAssignments>();

        var edited = await roles.AssignAsync(Admin, id, null, new AssignRoleRequest("communications", "bob", "you write the updates"), NoCoordination.Instance, CancellationToken.None);
        var assigned = Assert.Single(edited.Recorded);
        var delivery = DeliveryFor(assigned.Type);
        var incident = await host.ReadAsync(id);
        await delivery.DeliverAsync(incident, assigned, CancellationToken.None);
        await delivery.DeliverAsync(incident, assigned, CancellationToken.None);

        var email = Assert.Single(await host.EmailsAsync(id));
        Assert.True(email.IsTo(host.Policy.Email("bob")));
        Assert.Equal("roleassigned", email.Header(NotificationHeaders.Kind));
        Assert.Contains("You are now Communications lead", email.Text, StringComparison.Ordinal);
        Assert.Contains("Instructions", email.Text, StringComparison.Ordinal);
        Assert.Contains("Post internal and stakeholder updates when they are due.", email.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("/respond/", email.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RespondersAddedByTeamAreEachPagedOnceWithTheMessageAndTheResponderLinks()
    {
        var id = await host.CreateIncidentAsync();
        var responders = host.Services.GetRequiredService<ResponderPaging>();

        var edited = await responders.AddAsync(Admin, id, null, new AddRespondersRequest(["alice"], ["platform"], [], "Checkout is down <b>again</b>"), NoCoordination.Instance, CancellationToken.None);
        var added = Assert.Single(edited.Recorded);
        Assert.Equal("alice,bob,carol", added.Data![ResponderPaging.PeopleData]);
        var incident = await host.ReadAsync(id);
        Assert.Superset(new HashSet<string> { "alice", "bob", "carol" }, incident.ResponseValue.Participants.ToHashSet());
        var delivery = DeliveryFor(added.Type);
        await delivery.DeliverAsync(incident, added, CancellationToken.None);
        await delivery.DeliverAsync(incident, added, CancellationToken.None);

        var emails = await host.EmailsAsync(id);
        Assert.Equal(3, emails.Count);
        Assert.All(new[] { "alice", "bob", "carol" }, person => Assert.Single(emails, e => e.IsTo(host.Policy.Email(person))));
        Assert.All(emails, e =>
        {
            Assert.Equal("page", e.Header(NotificationHeaders.Kind));
            Assert.Contains("Checkout is down <b>again</b>", e.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("<b>again", e.Html, StringComparison.Ordinal);
            Assert.Contains("/respond/", e.Text, StringComparison.Ordinal);
        });
    }

    IncidentMerger Merger => host.Services.GetRequiredService<IncidentMerger>();

    IChangeDelivery DeliveryFor(string eventType) => Assert.Single(host.Services.GetServices<IChangeDelivery>(), d => d.Handles(eventType));

    /// <summary>The coordination orchestration is not what these tests are about: the change is delivered by hand.</summary>
    sealed class NoCoordination : ICoordinationSignals
    {
        public static readonly NoCoordination Instance = new();

        public Task ChangedAsync(CoordinationChange change, CancellationToken ct) => Task.CompletedTask;
    }
}
