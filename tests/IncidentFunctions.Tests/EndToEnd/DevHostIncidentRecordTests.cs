using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IncidentFunctions.Access;
using IncidentFunctions.Http;
using IncidentFunctions.Lifecycle;
using IncidentFunctions.Model;
using IncidentFunctions.Notifications;
using IncidentFunctions.Policy;
using IncidentFunctions.TestTools;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.DurableTask.Client;

namespace IncidentFunctions.Tests.EndToEnd;

/// <summary>
/// Declaring an incident and running its record on the dev host: paged per policy (MailDev) or not at all, retried
/// without a second incident, edited under If-Match, moved through its stages, its severity and milestones changed,
/// closed; and an acknowledgement that makes its acknowledger commander.
/// </summary>
[Collection(DevHostCollection.Name)]
public sealed class DevHostIncidentRecordTests(DevHostFixture fixture)
{
    /// <summary>Bob, as the policy names him, signed in with the responder app role: he leads what he declares.</summary>
    HttpRequestMessage AsBob(HttpMethod method, string path, object? body = null, string? ifMatch = null, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add(ClientPrincipal.Header, ClientPrincipal.Encode("Bob", roles: [AppRoles.ValueOf(AppRole.Responder)], email: fixture.Policy.Email("bob")));
        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation(IfMatch.Header, ifMatch);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add(IdempotentRequests.Header, idempotencyKey);
        }

        return request;
    }

    static string ETagOf(HttpResponseMessage response) => response.Headers.GetValues(IfMatch.ETagHeader).Single();

    static async Task<Incident> IncidentOf(HttpResponseMessage response) => (await response.Content.ReadFromJsonAsync<Incident>(JsonDefaults.Options))!;

    static async Task<JsonElement> ErrorsOf(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");

    async Task<(Incident Incident, string ETag)> DeclareAsync(string title, bool page = false, string severity = "warning")
    {
        using var response = await fixture.Http.SendAsync(AsBob(HttpMethod.Post, "incidents", new { title, severity, service = "checkout", page }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await IncidentOf(response), ETagOf(response));
    }

    async Task<(Incident Incident, string ETag)> GetAsync(string id)
    {
        using var response = await fixture.Http.SendAsync(AsBob(HttpMethod.Get, $"incidents/{id}"));
        response.EnsureSuccessStatusCode();
        return (await IncidentOf(response), ETagOf(response));
    }

    [Fact]
    public async Task ADeclaredIncidentIsPagedPerPolicyAndARetryWithItsKeyAnswersTheSameIncident()
    {
        var key = Guid.NewGuid().ToString("N");
        var body = new { title = "Checkout declines every card", severity = "critical", service = "checkout", summary = "Seen by support" };

        using var first = await fixture.Http.SendAsync(AsBob(HttpMethod.Post, "incidents", body, idempotencyKey: key));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var incident = await IncidentOf(first);
        Assert.Equal($"/api/incidents/{incident.Id}", first.Headers.Location?.OriginalString);
        Assert.Equal(
            (IncidentStatus.Open, Stage.Investigating, "declared", "bob", true, "Seen by support", Priorities.Of(Severity.Critical, 1)),
            (incident.Status, incident.Stage, incident.Integration, incident.Response.Commander, incident.Response.Declared, incident.Response.Summary, incident.Priority!.Value));

        using var retry = await fixture.Http.SendAsync(AsBob(HttpMethod.Post, "incidents", body, idempotencyKey: key));
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(incident.Id, (await IncidentOf(retry)).Id);
        Assert.Equal("true", retry.Headers.GetValues(IdempotentRequests.ReplayedHeader).Single());

        // Paged as an alert's incident is: level 1 of the service's escalation policy is alice.
        var page = (await Eventually.Get(() => fixture.EmailsAsync(incident.Id)!, e => e!.Count >= 1, "alice's page")).First();
        Assert.True(page.IsTo(fixture.Policy.Email("alice")));
        Assert.Equal("page", page.Header(NotificationHeaders.Kind));

        var timeline = await fixture.TimelineAsync(incident.Id);
        var declared = timeline.Single(e => e.Type == TimelineEventTypes.IncidentDeclared);
        Assert.Equal(("Bob", Channels.Api, "r1-1"), (declared.Actor, declared.Channel, declared.Id));
        Assert.Single(timeline, e => e.Type == TimelineEventTypes.IncidentOpened);
        Assert.Null(await fixture.FindIncidentAsync(i => i.Title == body.title && i.Id != incident.Id));
    }

    [Fact]
    public async Task ADeclaredIncidentNotPagedOpensAcknowledgedByTheDeclarerAndEmailsNobody()
    {
        var (incident, _) = await DeclareAsync("Slow search, handled by bob");

        Assert.Equal((IncidentStatus.Acknowledged, "Bob"), (incident.Status, incident.AcknowledgedBy));
        Assert.True(incident.Response.Milestones.ContainsKey(Milestone.Acknowledged));

        // The orchestration finds it acknowledged before any page is due: once it says so, nothing was or will be sent.
        await using var durable = fixture.DurableClient();
        await Eventually.Get(() => durable.GetInstanceAsync(incident.Id, getInputsAndOutputs: true),
            i => i?.SerializedCustomStatus?.Contains(LifecyclePhases.Acknowledged, StringComparison.Ordinal) == true, "the orchestration acknowledged");
        Assert.Empty(await fixture.EmailsAsync(incident.Id));
        Assert.Contains(await fixture.TimelineAsync(incident.Id), e => e.Type == TimelineEventTypes.IncidentAcknowledged && e.Actor == "Bob");
    }

    [Fact]
    public async Task ADeclarationNamingAnUnknownServiceOrCommanderIsRefusedNamingEachAndOpensNothing()
    {
        var title = "Refused " + Guid.NewGuid().ToString("N");
        using var response = await fixture.Http.SendAsync(AsBob(HttpMethod.Post, "incidents", new { title, severity = "high", service = "nope", commander = "zed", category = "nope" }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = await ErrorsOf(response);
        Assert.True(errors.TryGetProperty("service", out _));
        Assert.True(errors.TryGetProperty("commander", out _));
        Assert.True(errors.TryGetProperty("category", out _));
        Assert.Null(await fixture.FindIncidentAsync(i => i.Title == title));
    }

    [Fact]
    public async Task AnEditWithAStaleIfMatchIsRefusedAndWritesNothing()
    {
        var (incident, etag) = await DeclareAsync("Edit me");

        using var edit = await fixture.Http.SendAsync(AsBob(HttpMethod.Patch, $"incidents/{incident.Id}", new { title = "Edited once", summary = "why" }, ifMatch: etag));
        Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
        var newETag = ETagOf(edit);
        Assert.NotEqual(etag, newETag);
        var edited = await IncidentOf(edit);
        Assert.Equal(("Edited once", "why"), (edited.Title, edited.Response.Summary));

        using var stale = await fixture.Http.SendAsync(AsBob(HttpMethod.Patch, $"incidents/{incident.Id}", new { title = "Edited twice" }, ifMatch: etag));
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);

        var (now, currentETag) = await GetAsync(incident.Id);
        Assert.Equal(("Edited once", newETag), (now.Title, currentETag));
        Assert.Single(await fixture.TimelineAsync(incident.Id), e => e.Type == TimelineEventTypes.IncidentEdited);
    }

    [Fact]
    public async Task AStageOutOfOrderIsAConflictNamingTheStageAndWritesNothing()
    {
        var (incident, etag) = await DeclareAsync("Stage order");

        using var back = await fixture.Http.SendAsync(AsBob(HttpMethod.Post, $"incidents/{incident.Id}/stage", new { stage = "triage" }));
        Assert.Equal(HttpStatusCode.Conflict, back.StatusCode);
        Assert.True((await ErrorsOf(back)).TryGetProperty("stage", out _));
        Assert.Equal(etag, (await GetAsync(incident.Id)).ETag);

        using var forward = await fixture.Http.SendAsync(AsBob(HttpMethod.Post, $"incidents/{incident.Id}/stage", new { stage = "identified", reason = "bad deploy" }, ifMatch: etag));
        Assert.Equal(HttpStatusCode.OK, forward.StatusCode);
        Assert.Equal(Stage.Identified, (await IncidentOf(forward)).Stage);
        var changed = (await fixture.TimelineAsync(incident.Id)).Single(e => e.Type == TimelineEventTypes.StageChanged);
        Assert.Equal("bad deploy", changed.Data!["reason"]);
    }

    [Fact]
    public async Task TheIncidentsOwnCommanderChangesItsSeverityAndThePriorityIsRecomputed()
    {
        var (incident, _) = await DeclareAsync("Severity", severity: "info");
        Assert.Equal(Priorities.Of(Severity.Info, 1), incident.Priority);

        // Bob holds only the responder app role, but leads this incident.
        using var raised = await fixture.Http.SendAsync(AsBob(HttpMethod.Post, $"incidents/{incident.Id}/severity", new { severity = "critical", reason = "every customer" }));
        Assert.Equal(HttpStatusCode.OK, raised.StatusCode);
        var now = await IncidentOf(raised);
        Assert.Equal((Severity.Critical, Priorities.Of(Severity.Critical, 1)), (now.Severity, now.Priority!.Value));
        Assert.Equal("every customer", Assert.Single(now.Response.SeverityChanges).Reason);
        Assert.Equal([Severity.Critical, Severity.Info], now.SecondsAtSeverity!.Keys.Order());

        // Somebody who does not lead it, with the same app role, may not.
        using var other = new HttpRequestMessage(HttpMethod.Post, $"incidents/{incident.Id}/severity")
        {
            Content = JsonContent.Create(new { severity = "info", reason = "not really" }),
        };
        other.Headers.Add(ClientPrincipal.Header, ClientPrincipal.Encode("Carol", roles: ["responder"], email: fixture.Policy.Email("carol")));
        using var refused = await fixture.Http.SendAsync(other);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task AMilestoneCorrectionThatBreaksTheOrderIsRefusedAndWritesNothing()
    {
        var (incident, etag) = await DeclareAsync("Milestones");
        var acknowledged = incident.Response.Milestones[Milestone.Acknowledged];

        using var refused = await fixture.Http.SendAsync(AsBob(HttpMethod.Post, $"incidents/{incident.Id}/milestones",
            new { milestone = "detected", at = acknowledged.AddMilliseconds(1).ToString("O"), reason = "typo" }));
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.True((await ErrorsOf(refused)).TryGetProperty("milestones.detected", out _));
        Assert.Equal(etag, (await GetAsync(incident.Id)).ETag);

        using var corrected = await fixture.Http.SendAsync(AsBob(HttpMethod.Post, $"incidents/{incident.Id}/milestones",
            new { milestone = "impactStarted", at = acknowledged.AddMinutes(-10).ToString("O"), reason = "graphs show it" }));
        Assert.Equal(HttpStatusCode.OK, corrected.StatusCode);
        var correction = (await fixture.TimelineAsync(incident.Id)).Single(e => e.Type == TimelineEventTypes.MilestoneCorrected);
        Assert.Equal(("impactStarted", string.Empty, "graphs show it", "Bob"), (correction.Data!["milestone"], correction.Data["old"], correction.Data["reason"], correction.Data["by"]));
    }

    [Fact]
    public async Task AnIncidentClosesOnlyOnceResolvedAndResolvingThroughTheStageStopsItsOrchestration()
    {
        var (incident, _) = await DeclareAsync("Close me");

        using var early = await fixture.Http.SendAsync(AsBob(HttpMethod.Post, $"incidents/{incident.Id}/close", new { }));
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);

        using var resolve = await fixture.Http.SendAsync(AsBob(HttpMethod.Post, $"incidents/{incident.Id}/stage", new { stage = "resolved" }));
        Assert.Equal(HttpStatusCode.OK, resolve.StatusCode);
        var resolved = await IncidentOf(resolve);
        Assert.Equal((IncidentStatus.Resolved, Stage.Resolved), (resolved.Status, resolved.Stage));
        await using var durable = fixture.DurableClient();
        await Eventually.Get(() => durable.GetInstanceAsync(incident.Id), i => i?.RuntimeStatus == OrchestrationRuntimeStatus.Completed, "the orchestration to complete");

        using var close = await fixture.Http.SendAsync(AsBob(HttpMethod.Post, $"incidents/{incident.Id}/close", new { reason = "review not needed" }));
        Assert.Equal(HttpStatusCode.OK, close.StatusCode);
        var closed = await IncidentOf(close);
        Assert.Equal(Stage.Closed, closed.Stage);
        Assert.True(closed.Response.Milestones[Milestone.Closed] >= closed.Response.Milestones[Milestone.Resolved]);
        Assert.Contains(await fixture.TimelineAsync(incident.Id), e => e.Type == TimelineEventTypes.IncidentClosed && e.Summary == "Closed: review not needed");
    }

    [Fact]
    public async Task AcknowledgingAnAlertsIncidentMakesTheAcknowledgerCommanderAndMovesTriageToInvestigating()
    {
        var key = TestAlerts.NewKey("ack-commander");
        (await fixture.PostAlertAsync(DevHostPipelineTests.Alert(key, "Queue depth rising"))).EnsureSuccessStatusCode();
        var incident = await Eventually.Get(() => fixture.FindIncidentAsync(key, "open"), "the open incident");
        Assert.Equal((Stage.Triage, null), (incident.Stage, incident.Response.Commander));

        using var ack = await fixture.Http.SendAsync(AsBob(HttpMethod.Post, $"incidents/{incident.Id}/acknowledge"));
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);

        var (now, _) = await GetAsync(incident.Id);
        Assert.Equal((IncidentStatus.Acknowledged, Stage.Investigating, "bob"), (now.Status, now.Stage, now.Response.Commander));
        Assert.Equal(now.AcknowledgedAt, now.Response.Milestones[Milestone.Acknowledged]);
        Assert.Contains("bob", now.Response.Participants);
    }
}
