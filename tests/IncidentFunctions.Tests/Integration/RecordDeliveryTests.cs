using IncidentFunctions.Incidents;
using IncidentFunctions.Model;
using IncidentFunctions.Notifications;
using IncidentFunctions.Responding;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace IncidentFunctions.Tests.Integration;

/// <summary>
/// What a recorded change delivers, as the coordination calls it (DeliverAsync), on Azurite and MailDev: a status
/// update emailed to its audience once per person, never to anyone who may not see a restricted incident; a category's
/// playbook creating its tasks once, however often it is delivered.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class RecordDeliveryTests(PipelineFixture fixture)
{
    static TestPolicy Policy() => new()
    {
        Response = new Dictionary<string, object>
        {
            ["stakeholders"] = new object[] { new { targets = new object[] { new { person = "carol" }, new { email = "leadership@example.com" } } } },
            ["categories"] = new object[]
            {
                new
                {
                    id = "outage", name = "Outage",
                    playbook = new object[]
                    {
                        new { title = "First stakeholder update", assignee = new { role = "communications" }, priority = "high", dueMinutes = 15, required = true },
                        new { title = "Check deploys", assignee = new { person = "alice" } },
                    },
                },
                new { id = "security", name = "Security", playbook = new object[] { new { title = "Preserve evidence", priority = "urgent" } } },
            },
        },
    };

    static async Task<IncidentEntity> WithResponseAsync(LifecycleHost host, string id, Func<IncidentResponse, IncidentResponse> change)
    {
        var incident = await host.ReadAsync(id);
        incident.SetResponse(change(incident.ResponseValue));
        Assert.True(await host.Incidents.TryUpdateAsync(incident, CancellationToken.None));
        return await host.ReadAsync(id);
    }

    static TimelineEvent Update(string audience, string body) => new(
        "r1-1", DateTimeOffset.UtcNow, TimelineEventTypes.UpdatePosted, "Alice", Channels.Api, $"Update: {body}",
        new Dictionary<string, string> { ["audience"] = audience, ["body"] = body });

    static StatusUpdateDelivery UpdateDelivery(LifecycleHost host) =>
        host.Services.GetServices<IChangeDelivery>().OfType<StatusUpdateDelivery>().Single();

    [Fact]
    public async Task AStakeholderUpdateReachesTheStakeholdersAndSubscribersOnceEach()
    {
        var policy = Policy();
        await using var host = await LifecycleHost.StartAsync(fixture, policy);
        var incident = await WithResponseAsync(host, await host.CreateIncidentAsync(), r => r with { Participants = ["alice"], Subscribers = ["bob", "carol"] });
        var delivery = UpdateDelivery(host);
        var update = Update("stakeholders", "Checkout is back; <b>watching</b> error rates.");
        Assert.True(delivery.Handles(update.Type));

        await delivery.DeliverAsync(incident, update, CancellationToken.None);
        await delivery.DeliverAsync(incident, update, CancellationToken.None);

        var emails = await Eventually.Get(() => host.EmailsAsync(incident.Id)!, e => e!.Count >= 3, "the update to carol, leadership and bob");
        Assert.Equal(3, emails.Count);
        Assert.All(emails, e => Assert.Equal("statusupdate", e.Header(NotificationHeaders.Kind)));
        Assert.Single(emails, e => e.IsTo(policy.Email("carol")));
        Assert.Single(emails, e => e.IsTo(policy.Email("bob")));
        Assert.Single(emails, e => e.IsTo("leadership@example.com"));
        Assert.DoesNotContain(emails, e => e.IsTo(policy.Email("alice")));
        Assert.All(emails, e => Assert.Contains("&lt;b&gt;watching&lt;/b&gt;", e.Html!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARestrictedIncidentsStakeholderUpdateReachesNoOutsider()
    {
        var policy = Policy();
        await using var host = await LifecycleHost.StartAsync(fixture, policy);
        var incident = await WithResponseAsync(host, await host.CreateIncidentAsync(), r => r with
        {
            Visibility = Visibility.Restricted,
            Participants = ["alice", "carol"],
            Subscribers = ["bob"],
        });

        await UpdateDelivery(host).DeliverAsync(incident, Update("stakeholders", "Contained."), CancellationToken.None);

        // carol is a stakeholder who takes part; bob subscribed but may not see it; leadership@ is only an address.
        var emails = await host.EmailsAsync(incident.Id);
        Assert.Equal([policy.Email("carol")], emails.SelectMany(e => e.To).Select(a => a.Address));
        var sent = await host.EventsAsync(incident.Id);
        Assert.Equal(["carol"], sent.Where(e => e.Type == TimelineEventTypes.NotificationSent).Select(e => e.Data!["recipient"]));
    }

    [Fact]
    public async Task AnInternalUpdateReachesTheParticipants()
    {
        var policy = Policy();
        await using var host = await LifecycleHost.StartAsync(fixture, policy);
        var incident = await WithResponseAsync(host, await host.CreateIncidentAsync(), r => r with { Participants = ["alice", "bob"], Subscribers = ["carol"] });

        await UpdateDelivery(host).DeliverAsync(incident, Update("internal", "Rolling back."), CancellationToken.None);

        var emails = await host.EmailsAsync(incident.Id);
        Assert.Equal([policy.Email("alice"), policy.Email("bob")], emails.SelectMany(e => e.To).Select(a => a.Address).Order());
    }

    [Fact]
    public async Task ACategorysPlaybookCreatesItsTasksOnceAndALaterCategoryAddsItsOwn()
    {
        await using var host = await LifecycleHost.StartAsync(fixture, Policy());
        var incident = await WithResponseAsync(host, await host.CreateIncidentAsync(), r => r with { Category = "outage" });
        var delivery = host.Services.GetServices<IChangeDelivery>().OfType<PlaybookDelivery>().Single();
        var tasks = host.Services.GetRequiredService<TaskStore>();
        var categorized = new TimelineEvent("r1-1", DateTimeOffset.UtcNow, TimelineEventTypes.IncidentCategorized, "alice", Channels.Api, "Category: outage",
            new Dictionary<string, string> { ["category"] = "outage" });
        Assert.True(delivery.Handles(categorized.Type));

        await delivery.DeliverAsync(incident, categorized, CancellationToken.None);
        await delivery.DeliverAsync(incident, categorized, CancellationToken.None);

        var created = await tasks.ListAsync(incident.Id, CancellationToken.None);
        Assert.Equal(["playbook-outage-1", "playbook-outage-2"], created.Select(t => t.RowKey));
        Assert.Equal(categorized.At.AddMinutes(15), created[0].Value.DueAt);
        Assert.Equal(TaskAssignee.ToRole("communications"), created[0].Value.Assignee);
        Assert.Equal(["outage"], (await host.ReadAsync(incident.Id)).ResponseValue.PlaybooksApplied);
        var applied = Assert.Single(await host.EventsAsync(incident.Id), e => e.Type == TimelineEventTypes.PlaybookApplied);
        Assert.Equal(("system", Channels.System), (applied.Actor, applied.Channel));
        Assert.Equal("playbook-outage-1,playbook-outage-2", applied.Data!["tasks"]);

        var recategorized = categorized with { Id = "r3-1", Data = new Dictionary<string, string> { ["category"] = "security" } };
        await delivery.DeliverAsync(await host.ReadAsync(incident.Id), recategorized, CancellationToken.None);

        Assert.Equal(3, (await tasks.ListAsync(incident.Id, CancellationToken.None)).Count);
        Assert.Equal(["outage", "security"], (await host.ReadAsync(incident.Id)).ResponseValue.PlaybooksApplied);
        var added = Assert.Single(await host.EventsAsync(incident.Id), e => e.Type == TimelineEventTypes.PlaybookApplied && e.Data!["category"] == "security");
        Assert.Equal("outage", added.Data!["addedTo"]);
    }
}
