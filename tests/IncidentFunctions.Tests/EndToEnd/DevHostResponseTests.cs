using System.Net;
using System.Net.Http.Json;
using IncidentFunctions.Access;
using IncidentFunctions.DevHost.Local;
using IncidentFunctions.Http;
using IncidentFunctions.Model;
using IncidentFunctions.Notifications;
using IncidentFunctions.Responding;
using IncidentFunctions.TestTools;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.DurableTask.Client;

namespace IncidentFunctions.Tests.EndToEnd;

/// <summary>
/// A response from declaration to close, through the API as people use it, on a dev host of its own (same Azurite and
/// MailDev as the collection's, its own task hub) whose policy makes the internal update due seconds after opening.
/// </summary>
[Collection(DevHostCollection.Name)]
public sealed class DevHostResponseTests(DevHostFixture fixture)
{
    const double InternalUpdateSeconds = 12;

    [Fact]
    public async Task ADeclaredOutageRunsFromPlaybookToCloseWithItsRolesUpdatesAndAReminder()
    {
        var policy = new TestPolicy
        {
            Response = new Dictionary<string, object>
            {
                ["incidentRoles"] = new object[]
                {
                    new { id = "commander", name = "Incident commander", required = true, multiple = false, instructions = "Lead the response." },
                    new { id = "communications", name = "Communications lead", required = true, multiple = false, instructions = "Post the updates before they are due." },
                },
                ["categories"] = new object[]
                {
                    new
                    {
                        id = "outage", name = "Service outage", visibility = "standard", initialStage = "investigating",
                        playbook = new object[] { new { title = "Post the first stakeholder update", assignee = new { role = "communications" }, priority = "high", dueMinutes = 15, required = true } },
                    },
                },
                ["communication"] = new Dictionary<string, object> { ["P1"] = new { internalMinutes = InternalUpdateSeconds / 60, stakeholderMinutes = 60, requiredRolesWithinMinutes = 60 } },
                ["stakeholders"] = new object[] { new { services = new[] { "checkout" }, priorities = new[] { "P1" }, targets = new object[] { new { person = TestPolicy.Outsider } } } },
                ["taskReminderMinutes"] = 10,
            },
        };
        await using var beside = await BesideHost.StartAsync(fixture, "Response", settings => settings["Policy__Json"] = policy.Json);
        var (http, durable) = (beside.Http, beside.Durable);
        var alice = Person(policy, "alice", AppRole.Responder);
        var bob = Person(policy, "bob", AppRole.Responder);
        var carol = Person(policy, "carol", AppRole.Responder);

        // alice declares an outage without paging anyone: she leads it, and its playbook's task appears.
        var declared = await SendAsync<Incident>(http, HttpMethod.Post, Routes.Incidents, alice, HttpStatusCode.Created,
            new { title = "Checkout is down", severity = "critical", service = "checkout", category = "outage", summary = "Payments fail", page = false });
        Assert.Equal((Stage.Investigating, "alice", true), (declared.Stage, declared.Response.Commander, declared.Response.Declared));
        var id = declared.Id;
        var task = await Eventually.Get(
            async () => (await SendAsync<ResultPage<TaskView>>(http, HttpMethod.Get, $"incidents/{id}/tasks", alice, HttpStatusCode.OK)).Items.SingleOrDefault(),
            "the outage playbook's task");
        Assert.Equal(("playbook-outage-1", "communications"), (task!.Task.Id, task.Task.Assignee?.Role));

        // alice hands the lead to bob, who makes carol the communications lead; each is emailed the role's instructions.
        await SendAsync<Incident>(http, HttpMethod.Post, $"incidents/{id}/roles", alice, HttpStatusCode.OK, new { role = "commander", person = "bob", note = "Going off shift" });
        var afterHandOff = await SendAsync<Incident>(http, HttpMethod.Post, $"incidents/{id}/roles", bob, HttpStatusCode.OK, new { role = "communications", person = "carol" });
        Assert.Equal("bob", afterHandOff.Response.Commander);
        Assert.True(afterHandOff.SecondsAtSeverity?.ContainsKey(Severity.Critical), "every route that changes an incident answers the same view of it");
        Assert.Equal(["carol"], afterHandOff.Response.Roles["communications"]);
        var roleEmails = await Eventually.Get(
            async () => (await fixture.EmailsAsync(id)).Where(e => e.Header(NotificationHeaders.Kind) == "roleassigned").ToList(),
            e => e!.Count >= 2,
            "the two role emails");
        Assert.Contains(roleEmails, e => e.IsTo(policy.Email("bob")) && e.Text!.Contains("Lead the response.", StringComparison.Ordinal));
        Assert.Contains(roleEmails, e => e.IsTo(policy.Email("carol")) && e.Text!.Contains("Post the updates before they are due.", StringComparison.Ordinal));

        // carol's stakeholder update reaches the stakeholder the policy names for checkout at P1.
        await SendAsync<object>(http, HttpMethod.Post, $"incidents/{id}/updates", carol, HttpStatusCode.Created,
            new { audience = "stakeholders", body = "Payments fail for most customers; next update within the hour." });
        var update = await Eventually.Get(
            async () => (await fixture.EmailsAsync(id)).SingleOrDefault(e => e.Header(NotificationHeaders.Kind) == "statusupdate"),
            "the stakeholder update in MailDev");
        Assert.True(update!.IsTo(policy.Email(TestPolicy.Outsider)), "the update went to " + string.Join(", ", update.To.Select(t => t.Address)));
        Assert.Contains("next update within the hour", update.Text, StringComparison.Ordinal);

        // Nobody posts the internal update due seconds after the declaration: its reminder goes to carol, who holds communications.
        var reminder = await Eventually.Get(
            async () => (await fixture.EmailsAsync(id)).FirstOrDefault(e => e.Header(NotificationHeaders.Kind) == "reminder"),
            "the overdue internal update's reminder",
            TimeSpan.FromSeconds(InternalUpdateSeconds + 60));
        Assert.True(reminder!.IsTo(policy.Email("carol")), "the reminder went to " + string.Join(", ", reminder.To.Select(t => t.Address)));

        // bob resolves and closes; the coordination ends with the response.
        var resolved = await SendAsync<ResponderActionResultView>(http, HttpMethod.Post, $"incidents/{id}/resolve", bob, HttpStatusCode.OK);
        Assert.Equal(Stage.Resolved, resolved.Incident.Stage);
        var closed = await SendAsync<Incident>(http, HttpMethod.Post, $"incidents/{id}/close", bob, HttpStatusCode.OK, new { reason = "Fixed by the rollback" });
        Assert.Equal(Stage.Closed, closed.Stage);
        Assert.True(closed.Response.Milestones.ContainsKey(Milestone.Closed));
        await Eventually.Get(
            () => durable.GetInstanceAsync(DurableCoordination.InstanceIdOf(id)),
            i => i?.RuntimeStatus == OrchestrationRuntimeStatus.Completed,
            "the coordination to end with the close");

        var types = (await fixture.TimelineAsync(id)).Select(e => e.Type).ToList();
        Assert.All(
            new[] { TimelineEventTypes.IncidentDeclared, TimelineEventTypes.PlaybookApplied, TimelineEventTypes.RoleAssigned, TimelineEventTypes.UpdatePosted, TimelineEventTypes.ReminderSent, TimelineEventTypes.IncidentResolved, TimelineEventTypes.IncidentClosed },
            type => Assert.Contains(type, types));
    }

    sealed record TaskView(IncidentTask Task);

    sealed record ResponderActionResultView(string Outcome, Incident Incident);

    static string Person(TestPolicy policy, string person, AppRole role) =>
        ClientPrincipal.Encode(char.ToUpperInvariant(person[0]) + person[1..], roles: [AppRoles.ValueOf(role)], email: policy.Email(person));

    static async Task<T> SendAsync<T>(HttpClient http, HttpMethod method, string path, string principal, HttpStatusCode expected, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body, options: JsonDefaults.Options) };
        request.Headers.Add(ClientPrincipal.Header, principal);
        request.Headers.Add(IdempotentRequests.Header, Guid.NewGuid().ToString("N"));
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path}: {(int)response.StatusCode} {text}");
        return System.Text.Json.JsonSerializer.Deserialize<T>(text, JsonDefaults.Options)!;
    }
}
