using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IncidentFunctions.Http;
using IncidentFunctions.Model;
using IncidentFunctions.Responding;
using IncidentFunctions.TestTools;
using IncidentFunctions.Tests.Infrastructure;

namespace IncidentFunctions.Tests.EndToEnd;

/// <summary>
/// Work and record on the dev host, as a responder signed in as alice: tasks, notes, decisions, status updates,
/// evidence and pins; each on the timeline once however often it is retried, and each bad input refused by a 4xx that
/// names the field and writes nothing.
/// </summary>
[Collection(DevHostCollection.Name)]
public sealed class DevHostRecordTests(DevHostFixture fixture)
{
    HttpRequestMessage AsAlice(HttpMethod method, string path, object? body = null, string? key = null)
    {
        var email = fixture.Policy.Email("alice");
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add(ClientPrincipal.Header, ClientPrincipal.Encode(email, roles: ["responder"], email: email));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        if (key is not null)
        {
            request.Headers.Add(IdempotentRequests.Header, key);
        }

        return request;
    }

    async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            var response = await fixture.Http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), response);
        }
    }

    async Task<Incident> NewIncidentAsync(string name)
    {
        var key = TestAlerts.NewKey(name);
        (await fixture.PostAlertAsync(DevHostPipelineTests.Alert(key, $"Record: {name}"))).EnsureSuccessStatusCode();
        return await Eventually.Get(() => fixture.FindIncidentAsync(key, "open"), "the open incident");
    }

    static void AssertRefused(HttpStatusCode expected, (HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response) answer, string field)
    {
        Assert.True(expected == answer.Status, $"{answer.Status}: {answer.Body}");
        Assert.Equal(Problem.ContentType, answer.Response.Content.Headers.ContentType?.MediaType);
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty(field, out _), $"expected errors.{field}: {answer.Body}");
    }

    [Fact]
    public async Task TasksAreCreatedOnceChangedInOrderAndRecorded()
    {
        var incident = await NewIncidentAsync("tasks");
        var path = $"incidents/{incident.Id}/tasks";
        var body = new { title = "Roll back the deploy", assignee = new { person = "alice" }, priority = "high", link = "https://deploys.example.com/42" };

        var created = await SendAsync(AsAlice(HttpMethod.Post, path, body, key: "task-1"));
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var again = await SendAsync(AsAlice(HttpMethod.Post, path, body, key: "task-1"));
        Assert.Equal(HttpStatusCode.Created, again.Status);
        Assert.Equal("true", again.Response.Headers.GetValues(IdempotentRequests.ReplayedHeader).Single());
        var task = created.Body.GetProperty("task");
        var taskId = task.GetProperty("id").GetString()!;
        Assert.Equal(taskId, again.Body.GetProperty("task").GetProperty("id").GetString());
        Assert.Equal(created.Response.Headers.ETag!.ToString(), created.Body.GetProperty("etag").GetString());

        AssertRefused(HttpStatusCode.BadRequest, await SendAsync(AsAlice(HttpMethod.Post, path, new { title = "x", priority = "low", assignee = new { person = "nobody" } })), "assignee.person");
        AssertRefused(HttpStatusCode.BadRequest, await SendAsync(AsAlice(HttpMethod.Post, path, new { title = "x", priority = "low", assignee = new { role = "janitor" } })), "assignee.role");
        AssertRefused(HttpStatusCode.BadRequest, await SendAsync(AsAlice(HttpMethod.Post, path, new { title = "x", priority = "low", link = "javascript:alert(1)" })), "link");

        var listed = await SendAsync(AsAlice(HttpMethod.Get, path));
        Assert.Equal([taskId], listed.Body.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("task").GetProperty("id").GetString()));

        var done = AsAlice(HttpMethod.Patch, $"{path}/{taskId}", new { status = "done" });
        done.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(created.Response.Headers.ETag!.Tag));
        var changed = await SendAsync(done);
        Assert.Equal(HttpStatusCode.OK, changed.Status);
        Assert.Equal("done", changed.Body.GetProperty("task").GetProperty("status").GetString());

        var stale = AsAlice(HttpMethod.Patch, $"{path}/{taskId}", new { title = "Something else" });
        stale.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(created.Response.Headers.ETag!.Tag));
        AssertRefused(HttpStatusCode.PreconditionFailed, await SendAsync(stale), IfMatch.Header);
        AssertRefused(HttpStatusCode.Conflict, await SendAsync(AsAlice(HttpMethod.Patch, $"{path}/{taskId}", new { status = "in-progress" })), "status");
        AssertRefused(HttpStatusCode.NotFound, await SendAsync(AsAlice(HttpMethod.Patch, $"{path}/no-such-task", new { status = "done" })), "task");

        var timeline = await fixture.TimelineAsync(incident.Id);
        var recorded = Assert.Single(timeline, e => e.Type == TimelineEventTypes.TaskCreated);
        Assert.Equal((taskId, Channels.Api), (recorded.Data!["task"], recorded.Channel));
        var statusChange = Assert.Single(timeline, e => e.Type == TimelineEventTypes.TaskChanged);
        Assert.Equal("done", statusChange.Data!["status"]);
        Assert.Equal("Roll back the deploy", (await SendAsync(AsAlice(HttpMethod.Get, path))).Body.GetProperty("items")[0].GetProperty("task").GetProperty("title").GetString());

        var participants = (await fixture.FindIncidentAsync(i => i.Id == incident.Id))!.Response.Participants;
        Assert.Contains("alice", participants);
    }

    [Fact]
    public async Task NotesDecisionsUpdatesAndPinsAreOnTheTimelineOnce()
    {
        var incident = await NewIncidentAsync("record");
        var occurred = DateTimeOffset.UtcNow.AddMinutes(-40);

        var note = await SendAsync(AsAlice(HttpMethod.Post, $"incidents/{incident.Id}/notes", new { body = "Deploy 42 went out <script>", occurredAt = occurred }, key: "note-1"));
        Assert.Equal(HttpStatusCode.Created, note.Status);
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(AsAlice(HttpMethod.Post, $"incidents/{incident.Id}/notes", new { body = "Deploy 42 went out <script>", occurredAt = occurred }, key: "note-1"))).Status);
        AssertRefused(HttpStatusCode.BadRequest, await SendAsync(AsAlice(HttpMethod.Post, $"incidents/{incident.Id}/notes", new { body = new string('x', TextLimits.MaxRecordText + 1) })), "body");
        AssertRefused(HttpStatusCode.BadRequest, await SendAsync(AsAlice(HttpMethod.Post, $"incidents/{incident.Id}/notes", new { body = new string('\u0001', TextLimits.MaxRecordText) })), "body");

        var decision = await SendAsync(AsAlice(HttpMethod.Post, $"incidents/{incident.Id}/decisions", new { decision = "Roll back", rationale = "Fastest way back", options = new[] { "roll back", "fix forward" } }));
        Assert.Equal(HttpStatusCode.Created, decision.Status);
        AssertRefused(HttpStatusCode.BadRequest, await SendAsync(AsAlice(HttpMethod.Post, $"incidents/{incident.Id}/decisions", new { decision = "x", decidedBy = "nobody" })), "decidedBy");

        var next = DateTimeOffset.UtcNow.AddMinutes(20);
        var update = await SendAsync(AsAlice(HttpMethod.Post, $"incidents/{incident.Id}/updates", new { audience = "stakeholders", body = "We are rolling back.", nextUpdateAt = next }));
        Assert.Equal(HttpStatusCode.Created, update.Status);
        AssertRefused(HttpStatusCode.BadRequest, await SendAsync(AsAlice(HttpMethod.Post, $"incidents/{incident.Id}/updates", new { audience = "everyone", body = "x" })), "audience");

        var noteId = note.Body.GetProperty("event").GetProperty("id").GetString()!;
        var pinned = await SendAsync(AsAlice(HttpMethod.Put, $"incidents/{incident.Id}/pins/{noteId}"));
        Assert.Equal(HttpStatusCode.OK, pinned.Status);
        Assert.Equal([noteId], pinned.Body.GetProperty("response").GetProperty("pinned").EnumerateArray().Select(e => e.GetString()));
        Assert.NotNull(pinned.Response.Headers.ETag);
        AssertRefused(HttpStatusCode.NotFound, await SendAsync(AsAlice(HttpMethod.Put, $"incidents/{incident.Id}/pins/no-such-event")), "event");

        var stale = AsAlice(HttpMethod.Delete, $"incidents/{incident.Id}/pins/{noteId}");
        stale.Headers.TryAddWithoutValidation(IfMatch.Header, "W/\"datetime'2000-01-01T00%3A00%3A00.0000000Z'\"");
        AssertRefused(HttpStatusCode.PreconditionFailed, await SendAsync(stale), IfMatch.Header);
        var unpinned = await SendAsync(AsAlice(HttpMethod.Delete, $"incidents/{incident.Id}/pins/{noteId}"));
        Assert.Empty(unpinned.Body.GetProperty("response").GetProperty("pinned").EnumerateArray());

        var timeline = await fixture.TimelineAsync(incident.Id);
        var noted = Assert.Single(timeline, e => e.Type == TimelineEventTypes.NoteAdded);
        Assert.Equal(occurred.ToUnixTimeMilliseconds(), noted.OccurredAt!.Value.ToUnixTimeMilliseconds());
        Assert.Equal("Deploy 42 went out <script>", noted.Data!["body"]);
        var decided = Assert.Single(timeline, e => e.Type == TimelineEventTypes.DecisionRecorded);
        Assert.Equal(("Roll back", "alice", "fix forward"), (decided.Data!["decision"], decided.Data["decidedBy"], decided.Data["options.1"]));
        var posted = Assert.Single(timeline, e => e.Type == TimelineEventTypes.UpdatePosted);
        Assert.Equal("stakeholders", posted.Data!["audience"]);
        Assert.Single(timeline, e => e.Type == TimelineEventTypes.EventPinned);
        Assert.Single(timeline, e => e.Type == TimelineEventTypes.EventUnpinned);

        var stored = (await fixture.FindIncidentAsync(i => i.Id == incident.Id))!.Response;
        Assert.Equal(next.ToUnixTimeMilliseconds(), stored.StakeholderUpdates.NextDueSetByWriter!.Value.ToUnixTimeMilliseconds());
        Assert.NotNull(stored.StakeholderUpdates.LastAt);
    }

    [Fact]
    public async Task EvidenceFilesAreStoredWithTheirHashAndOnlyEverDownloaded()
    {
        var incident = await NewIncidentAsync("evidence");
        var html = Encoding.UTF8.GetBytes("<html><script>alert(document.cookie)</script></html>");
        var upload = AsAlice(HttpMethod.Post, $"incidents/{incident.Id}/evidence?fileName={Uri.EscapeDataString("../../\"evil\r\n.html")}", key: "evidence-1");
        upload.Content = new ByteArrayContent(html);
        upload.Content.Headers.ContentType = new MediaTypeHeaderValue("text/html");

        var added = await SendAsync(upload);
        Assert.Equal(HttpStatusCode.Created, added.Status);
        var data = added.Body.GetProperty("event").GetProperty("data");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(html)), data.GetProperty("sha256").GetString());
        Assert.Equal(html.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), data.GetProperty("size").GetString());
        Assert.Equal(("text/html", "_evil__.html", "alice"), (data.GetProperty("contentType").GetString(), data.GetProperty("fileName").GetString(), data.GetProperty("addedBy").GetString()));
        var evidenceId = data.GetProperty("evidence").GetString()!;

        using var download = await fixture.Http.SendAsync(AsAlice(HttpMethod.Get, $"incidents/{incident.Id}/evidence/{evidenceId}"));
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/octet-stream", download.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("_evil__.html", download.Content.Headers.ContentDisposition.FileName?.Trim('"'));
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(html, await download.Content.ReadAsByteArrayAsync());
        AssertRefused(HttpStatusCode.NotFound, await SendAsync(AsAlice(HttpMethod.Get, $"incidents/{incident.Id}/evidence/ev-nothere")), "evidence");

        var tooLarge = AsAlice(HttpMethod.Post, $"incidents/{incident.Id}/evidence?fileName=big.bin", key: "evidence-big");
        tooLarge.Content = new ByteArrayContent(new byte[EvidenceOptions.DefaultMaxBytes + 1]);
        AssertRefused(HttpStatusCode.RequestEntityTooLarge, await SendAsync(tooLarge), "body");
        var unkeyed = AsAlice(HttpMethod.Post, $"incidents/{incident.Id}/evidence?fileName=big.bin");
        unkeyed.Content = new ByteArrayContent(new byte[EvidenceOptions.DefaultMaxBytes + 1]);
        AssertRefused(HttpStatusCode.RequestEntityTooLarge, await SendAsync(unkeyed), "body");

        AssertRefused(HttpStatusCode.BadRequest, await SendAsync(AsAlice(HttpMethod.Post, $"incidents/{incident.Id}/evidence", new { url = "file:///etc/passwd" })), "url");
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(AsAlice(HttpMethod.Post, $"incidents/{incident.Id}/evidence", new { url = "https://grafana.example.com/d/1", title = "Error rate" }))).Status);

        var blobs = new List<string>();
        await foreach (var blob in fixture.Azurite.Blobs.GetBlobContainerClient(BlobContainers.Evidence).GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, incident.Id + "/", CancellationToken.None))
        {
            blobs.Add(blob.Name);
        }

        Assert.Equal([IncidentEvidence.BlobName(incident.Id, evidenceId)], blobs);
        var events = (await fixture.TimelineAsync(incident.Id)).Where(e => e.Type == TimelineEventTypes.EvidenceAdded).ToList();
        Assert.Equal(["file", "link"], events.Select(e => e.Data!["kind"]));
    }
}
