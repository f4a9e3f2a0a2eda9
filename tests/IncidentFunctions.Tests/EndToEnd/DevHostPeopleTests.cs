using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using IncidentFunctions.Access;
using IncidentFunctions.Http;
using IncidentFunctions.Incidents;
using IncidentFunctions.Model;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.DurableTask.Client;

namespace IncidentFunctions.Tests.EndToEnd;

/// <summary>
/// The people on an incident, end to end on the dev host: a role handed off (once, however often the request is
/// retried), responders added, access granted to a restricted incident, and a duplicate merged. The emails these
/// changes send are delivered by the coordination orchestration; until it runs on the dev host they are covered by
/// <c>Integration.PeopleTests</c>, which delivers the recorded changes as it will.
/// </summary>
[Collection(DevHostCollection.Name)]
public sealed class DevHostPeopleTests(DevHostFixture fixture)
{
    [Fact]
    public async Task ARoleIsHandedFromItsHolderToTheNextOnceEvenWhenTheRequestIsRetried()
    {
        var incident = await OpenAsync("handoff", "Checkout latency");
        using (var first = await SendAsync(HttpMethod.Post, $"incidents/{incident.Id}/roles", AppRole.Commander, new { role = "commander", person = "alice" }))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var key = Guid.NewGuid().ToString("N");
        using var handOff = await SendAsync(HttpMethod.Post, $"incidents/{incident.Id}/roles", AppRole.Commander, new { role = "commander", person = "bob", note = "end of shift" }, key);
        using var retry = await SendAsync(HttpMethod.Post, $"incidents/{incident.Id}/roles", AppRole.Commander, new { role = "commander", person = "bob", note = "end of shift" }, key);

        Assert.Equal(HttpStatusCode.OK, handOff.StatusCode);
        Assert.NotNull(handOff.Headers.ETag);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal("true", retry.Headers.GetValues(IdempotentRequests.ReplayedHeader).Single());
        var handed = (await handOff.Content.ReadFromJsonAsync<Incident>(JsonDefaults.Options))!;
        Assert.Equal(["bob"], handed.Response.Roles["commander"]);
        Assert.Contains("bob", handed.Response.Participants);
        var assigned = (await fixture.TimelineAsync(incident.Id)).Where(e => e.Type == TimelineEventTypes.RoleAssigned).ToList();
        Assert.Equal([("", "alice"), ("alice", "bob")], assigned.Select(e => (e.Data!["from"], e.Data["to"])));
        Assert.Equal(("end of shift", Channels.Api), (assigned[1].Data!["note"], assigned[1].Channel));

        // The commander is only ever handed on, and nobody unknown to the policy takes a role.
        using var release = await SendAsync(HttpMethod.Delete, $"incidents/{incident.Id}/roles/commander/bob", AppRole.Commander);
        await AssertProblemAsync(release, HttpStatusCode.Conflict, "role");
        using var stranger = await SendAsync(HttpMethod.Post, $"incidents/{incident.Id}/roles", AppRole.Commander, new { role = "commander", person = "mallory" });
        await AssertProblemAsync(stranger, HttpStatusCode.BadRequest, "person");
    }

    [Fact]
    public async Task RespondersAddedByTeamBecomeParticipantsAndAnUnknownTeamIsRefusedByIndex()
    {
        var incident = await OpenAsync("responders", "Payments failing");

        using var unknown = await SendAsync(HttpMethod.Post, $"incidents/{incident.Id}/responders", AppRole.Responder, new { people = new[] { "bob" }, teams = new[] { "platform", "nobody" } });
        await AssertProblemAsync(unknown, HttpStatusCode.BadRequest, "teams[1]");
        using var added = await SendAsync(HttpMethod.Post, $"incidents/{incident.Id}/responders", AppRole.Responder, new { teams = new[] { "platform" }, message = "Join the bridge" });

        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        var participants = (await added.Content.ReadFromJsonAsync<Incident>(JsonDefaults.Options))!.Response.Participants;
        Assert.Superset(new HashSet<string> { "alice", "bob", "carol" }, participants.ToHashSet());
        var recorded = Assert.Single(await fixture.TimelineAsync(incident.Id), e => e.Type == TimelineEventTypes.RespondersAdded);
        Assert.Equal(("alice,bob,carol", "Join the bridge"), (recorded.Data!["people"], recorded.Data["message"]));
    }

    [Fact]
    public async Task AGrantLetsAResponderWhoTakesNoPartSeeARestrictedIncidentUntilItIsRevoked()
    {
        var incident = await OpenAsync("grant", "Suspicious logins");
        await RestrictAsync(fixture, incident.Id, participants: ["carol"]);
        var path = $"incidents/{incident.Id}";

        using (var hidden = await SendAsync(HttpMethod.Get, path, AppRole.Responder, person: "bob"))
        {
            Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        }

        using (var grant = await SendAsync(HttpMethod.Post, $"{path}/grants", AppRole.Admin, new { person = "bob" }))
        {
            Assert.Equal(["bob"], (await grant.Content.ReadFromJsonAsync<Incident>(JsonDefaults.Options))!.Response.Grants);
        }

        using (var seen = await SendAsync(HttpMethod.Get, path, AppRole.Responder, person: "bob"))
        {
            Assert.Equal(HttpStatusCode.OK, seen.StatusCode);
        }

        using (var revoke = await SendAsync(HttpMethod.Delete, $"{path}/grants/bob", AppRole.Admin))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        using var hiddenAgain = await SendAsync(HttpMethod.Get, path, AppRole.Responder, person: "bob");
        Assert.Equal(HttpStatusCode.NotFound, hiddenAgain.StatusCode);
        Assert.Equal(
            [TimelineEventTypes.AccessGranted, TimelineEventTypes.AccessRevoked],
            (await AdminTimelineAsync(incident.Id)).Where(e => e.Type.StartsWith("access.", StringComparison.Ordinal)).Select(e => e.Type));
    }

    [Fact]
    public async Task AMergedDuplicateStopsPagingAndANewAlertWithItsKeyCountsIntoTheIncidentItWasMergedInto()
    {
        var duplicateKey = TestAlerts.NewKey("merge-dup");
        var duplicate = await OpenAsync(duplicateKey, "Checkout 500s", keyIsWhole: true);
        var target = await OpenAsync("merge-target", "Checkout down");

        using var itself = await SendAsync(HttpMethod.Post, $"incidents/{duplicate.Id}/merge", AppRole.Commander, new { into = duplicate.Id });
        await AssertProblemAsync(itself, HttpStatusCode.BadRequest, "into");
        using var nowhere = await SendAsync(HttpMethod.Post, $"incidents/{duplicate.Id}/merge", AppRole.Commander, new { into = "INC-20260101-NOSUCHID" });
        await AssertProblemAsync(nowhere, HttpStatusCode.BadRequest, "into");

        using var merge = await SendAsync(HttpMethod.Post, $"incidents/{duplicate.Id}/merge", AppRole.Commander, new { into = target.Id, reason = "same outage" }, Guid.NewGuid().ToString("N"));

        Assert.Equal(HttpStatusCode.OK, merge.StatusCode);
        var merged = (await merge.Content.ReadFromJsonAsync<Incident>(JsonDefaults.Options))!;
        Assert.Equal((Stage.Merged, target.Id, IncidentStatus.Resolved), (merged.Stage, merged.Response.MergedInto, merged.Status));
        await using var durable = fixture.DurableClient();
        await Eventually.Get(() => durable.GetInstanceAsync(duplicate.Id), i => i?.RuntimeStatus == OrchestrationRuntimeStatus.Completed, "the duplicate's escalation to stop");
        Assert.Contains(await fixture.TimelineAsync(target.Id), e => e.Type == TimelineEventTypes.DuplicateMerged && e.Data!["source"] == duplicate.Id);

        (await fixture.PostAlertAsync(DevHostPipelineTests.Alert(duplicateKey, "Checkout 500s again"))).EnsureSuccessStatusCode();

        var fed = await Eventually.Get(() => GetAsync(target.Id), i => i!.AlertCount == 2, "the alert counted into the incident the duplicate was merged into");
        Assert.Equal([duplicate.Id], fed.Response.MergedFrom);
        Assert.Equal(1, (await GetAsync(duplicate.Id))!.AlertCount);
        Assert.Null(await fixture.FindIncidentAsync(i => i.DedupKey == duplicateKey && i.Id != duplicate.Id));
    }

    /// <summary>
    /// Makes an incident restricted with these participants, through storage (the row, then the status index the
    /// listing reads, as the editor does): until declaring an incident (with its category's visibility) lands, that is
    /// how a restricted incident comes to be. The row's ETag guards the write against the orchestration's own writes
    /// meanwhile.
    /// </summary>
    internal static async Task RestrictAsync(DevHostFixture fixture, string id, IReadOnlyList<string> participants)
    {
        var table = fixture.Azurite.Tables.GetTableClient(TableNames.Incidents);
        await Eventually.Get(
            async () =>
            {
                var row = (await table.GetEntityAsync<IncidentEntity>(id, IncidentEntity.Row)).Value;
                row.SetResponse(row.ResponseValue with { Visibility = Visibility.Restricted, Participants = participants });
                try
                {
                    var written = await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);
                    row.ETag = written.Headers.ETag ?? default;
                    await new IncidentStore(fixture.Azurite.Tables).IndexAsync(row, CancellationToken.None, statusChanged: false);
                    return "restricted";
                }
                catch (RequestFailedException e) when (e.Status == 412)
                {
                    return null;
                }
            },
            "the incident restricted");
    }

    async Task<Incident> OpenAsync(string key, string title, bool keyIsWhole = false)
    {
        var dedupKey = keyIsWhole ? key : TestAlerts.NewKey(key);
        (await fixture.PostAlertAsync(DevHostPipelineTests.Alert(dedupKey, title))).EnsureSuccessStatusCode();
        return await Eventually.Get(() => fixture.FindIncidentAsync(dedupKey, "open"), "the open incident");
    }

    /// <summary>The timeline as an admin reads it: a restricted incident's is hidden from the fixture's responder.</summary>
    async Task<List<TimelineEvent>> AdminTimelineAsync(string id)
    {
        using var response = await SendAsync(HttpMethod.Get, $"incidents/{id}/timeline?limit=100", AppRole.Admin);
        response.EnsureSuccessStatusCode();
        return [.. (await response.Content.ReadFromJsonAsync<ResultPage<TimelineEvent>>(JsonDefaults.Options))!.Items];
    }

    async Task<Incident?> GetAsync(string id)
    {
        using var response = await SendAsync(HttpMethod.Get, $"incidents/{id}", AppRole.Admin);
        return await response.Content.ReadFromJsonAsync<Incident>(JsonDefaults.Options);
    }

    /// <summary>Sends as a caller with <paramref name="role"/>; as the policy person <paramref name="person"/> when given.</summary>
    Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, AppRole role, object? body = null, string? idempotencyKey = null, string? person = null)
    {
        var request = new HttpRequestMessage(method, path);
        var name = person ?? $"{AppRoles.ValueOf(role)}@example.com";
        request.Headers.Add(ClientPrincipal.Header, ClientPrincipal.Encode(name, roles: [AppRoles.ValueOf(role)], email: person is null ? null : fixture.Policy.Email(person)));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: JsonDefaults.Options);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add(IdempotentRequests.Header, idempotencyKey);
        }

        return fixture.Http.SendAsync(request);
    }

    static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string field)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode} {body}");
        Assert.Equal(Problem.ContentType, response.Content.Headers.ContentType?.MediaType);
        Assert.True(JsonDocument.Parse(body).RootElement.GetProperty("errors").TryGetProperty(field, out _), body);
    }
}
