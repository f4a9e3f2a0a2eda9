using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Queues;
using IncidentFunctions.Http;
using IncidentFunctions.Ingestion;
using IncidentFunctions.Lifecycle;
using IncidentFunctions.Model;
using IncidentFunctions.Tests.Infrastructure;

namespace IncidentFunctions.Tests.EndToEnd;

/// <summary>The dev host driven over HTTP, as a monitoring system and a responder would.</summary>
[Collection(DevHostCollection.Name)]
public sealed class DevHostPipelineTests(DevHostFixture fixture)
{
    [Fact]
    public async Task AnAlertBecomesAnIncidentWithItsTimeline()
    {
        var key = TestAlerts.NewKey("e2e");
        using var response = await fixture.PostAlertAsync(Alert(key, "Checkout p99 above 2s"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(key, accepted.GetProperty("dedupKeys")[0].GetString());
        Assert.Single(accepted.GetProperty("alertIds").EnumerateArray());

        var incident = await Eventually.Get(() => fixture.FindIncidentAsync(key, "open"), "the incident");
        Assert.Equal("Checkout p99 above 2s", incident.Title);
        Assert.Equal(1, incident.AlertCount);

        using var single = await fixture.Http.SendAsync(DevHostFixture.Responder(HttpMethod.Get, $"incidents/{incident.Id}"));
        Assert.Equal(HttpStatusCode.OK, single.StatusCode);

        var events = await Eventually.Get(
            async () => await fixture.TimelineAsync(incident.Id),
            e => e is not null && e.Any(x => x.Type == TimelineEventTypes.IncidentOpened),
            "incident.opened on the timeline");
        Assert.Equal(TimelineEventTypes.AlertReceived, events[0].Type);
        Assert.Equal(events.OrderBy(e => e.At), events);
    }

    [Fact]
    public async Task AnAcceptedAlertIsProcessedOnArrivalAndLeavesNoMessageForTheQueueTrigger()
    {
        var key = TestAlerts.NewKey("handoff");
        (await fixture.PostAlertAsync(Alert(key, "Processed on arrival"))).EnsureSuccessStatusCode();

        // Its queue message is hidden from the trigger for AlertHandoff.Hidden: an incident well within that was opened
        // in the process that accepted it, and a message left behind would reappear for the trigger to process again.
        await Eventually.Get(() => fixture.FindIncidentAsync(key), "the incident", AlertHandoff.Hidden / 3);
        var alerts = fixture.Azurite.Queues.GetQueueClient(QueueNames.Alerts);
        await Eventually.Get(
            async () => (int?)(await alerts.GetPropertiesAsync()).Value.ApproximateMessagesCount, n => n == 0, "the alerts queue empty", AlertHandoff.Hidden / 3);
    }

    [Fact]
    public async Task FiftyConcurrentDuplicatesGiveOneIncidentWithFiftyCounted()
    {
        var key = TestAlerts.NewKey("storm");
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => fixture.PostAlertAsync(Alert(key, "Disk full on db-1"))));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));

        var incident = await Eventually.Get(() => fixture.FindIncidentAsync(key), i => i?.AlertCount == 50, "50 alerts counted");

        var all = await fixture.FindIncidentAsync(key);
        Assert.Equal(incident.Id, all!.Id);
        var events = await fixture.TimelineAsync(incident.Id);
        Assert.Equal(50, events!.Count(e => e.Type is TimelineEventTypes.AlertReceived or TimelineEventTypes.AlertRepeated));
    }

    [Fact]
    public async Task ASourceResolveResolvesTheIncident()
    {
        var key = TestAlerts.NewKey("resolve");
        (await fixture.PostAlertAsync(Alert(key, "Queue backlog"))).EnsureSuccessStatusCode();
        var open = await Eventually.Get(() => fixture.FindIncidentAsync(key, "open"), "the open incident");

        (await fixture.PostAlertAsync(Alert(key, "Queue backlog", status: "resolved"))).EnsureSuccessStatusCode();

        var resolved = await Eventually.Get(() => fixture.FindIncidentAsync(key, "resolved"), "the resolved incident");
        Assert.Equal(open.Id, resolved.Id);
        Assert.Equal(DevHostFixture.Integration, resolved.ResolvedBy);
        Assert.Null(await fixture.FindIncidentAsync(key, "open"));
    }

    [Theory]
    [InlineData("{\"title\": \"x\", \"severity\": \"critical\"", "application/json", HttpStatusCode.BadRequest, "body")]
    [InlineData("{\"severity\": \"critical\"}", "application/json", HttpStatusCode.BadRequest, "title")]
    [InlineData("{\"title\": \"x\", \"severity\": \"sev1\"}", "application/json", HttpStatusCode.BadRequest, "severity")]
    [InlineData("{\"title\": \"x\", \"severity\": \"info\", \"links\": [{\"href\": \"javascript:alert(1)\"}]}", "application/json", HttpStatusCode.BadRequest, "links[0].href")]
    [InlineData("title=x", "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType, "Content-Type")]
    public async Task BadBodiesAreRefusedWithAProblemNamingTheField(string body, string contentType, HttpStatusCode expected, string field)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"alerts/{DevHostFixture.Integration}")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, contentType),
        };
        request.Headers.Authorization = new("Bearer", DevHostFixture.Secret);
        using var response = await fixture.Http.SendAsync(request);

        await AssertProblem(response, expected, field);
    }

    [Fact]
    public async Task ABodyOverTheLimitIsRefusedWith413()
    {
        var huge = "{\"title\": \"" + new string('x', RequestBody.MaxBytes) + "\", \"severity\": \"info\"}";
        using var response = await fixture.PostAlertAsync(huge);
        await AssertProblem(response, HttpStatusCode.RequestEntityTooLarge, "body");
    }

    [Fact]
    public async Task AnUnknownIntegrationOrAWrongSecretIsRefusedAndTheSecretIsNeverLogged()
    {
        var key = TestAlerts.NewKey("refused");
        var wrong = "wrong-" + Guid.NewGuid().ToString("N");
        using var unknown = await fixture.PostAlertAsync(Alert(key, "x"), integration: "nope");
        await AssertProblem(unknown, HttpStatusCode.NotFound, "integration");
        using var bad = await fixture.PostAlertAsync(Alert(key, "x"), secret: wrong);
        await AssertProblem(bad, HttpStatusCode.Unauthorized, "secret");
        using var viaQuery = await fixture.Http.PostAsync(
            $"alerts/{DevHostFixture.Integration}?key={DevHostFixture.RotatedSecret}",
            new StringContent(Alert(TestAlerts.NewKey("query"), "accepted via ?key="), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, viaQuery.StatusCode);

        // A valid alert sent afterwards is processed: by then the refused ones would have been too, had they been queued.
        var sentinel = TestAlerts.NewKey("sentinel");
        (await fixture.PostAlertAsync(Alert(sentinel, "sentinel"))).EnsureSuccessStatusCode();
        await Eventually.Get(() => fixture.FindIncidentAsync(sentinel), "the sentinel incident");
        Assert.Null(await fixture.FindIncidentAsync(key));

        Assert.DoesNotContain(wrong, fixture.Host.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(DevHostFixture.Secret, fixture.Host.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(DevHostFixture.RotatedSecret, fixture.Host.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadRoutesNeedASignedInPrincipal()
    {
        using var anonymous = await fixture.Http.GetAsync("incidents?status=open");
        await AssertProblem(anonymous, HttpStatusCode.Unauthorized, ClientPrincipal.Header);

        using var badFilter = await fixture.Http.SendAsync(DevHostFixture.Responder(HttpMethod.Get, "incidents?status=sleeping"));
        await AssertProblem(badFilter, HttpStatusCode.BadRequest, "status");

        using var missing = await fixture.Http.SendAsync(DevHostFixture.Responder(HttpMethod.Get, "incidents/INC-20260101-00000000"));
        await AssertProblem(missing, HttpStatusCode.NotFound, "id");
    }

    [Fact]
    public async Task AMessageThatCannotBeProcessedEndsInThePoisonQueueAndTheHostKeepsWorking()
    {
        var queues = fixture.Azurite.Queues;
        var marker = Guid.NewGuid().ToString("N");
        await queues.GetQueueClient(QueueNames.Alerts).SendMessageAsync($"{{\"batchId\":\"{marker}\"}}");

        var poison = queues.GetQueueClient(QueueNames.PoisonOf(QueueNames.Alerts));
        await Eventually.Get(
            async () => (await poison.PeekMessagesAsync(32)).Value.FirstOrDefault(m => m.Body.ToString().Contains(marker, StringComparison.Ordinal)),
            "the message in the poison queue");
        Assert.Contains("moved to alerts-poison", fixture.Host.Output, StringComparison.Ordinal);

        var key = TestAlerts.NewKey("after-poison");
        (await fixture.PostAlertAsync(Alert(key, "still working"))).EnsureSuccessStatusCode();
        await Eventually.Get(() => fixture.FindIncidentAsync(key), "an incident after the poison message");
    }

    [Fact]
    public async Task ConcurrentStartsOfOneIncidentOnTheStorageBackendCreateOneRun()
    {
        var key = TestAlerts.NewKey("start");
        (await fixture.PostAlertAsync(Alert(key, "start once"))).EnsureSuccessStatusCode();
        var incident = await Eventually.Get(() => fixture.FindIncidentAsync(key), "the incident");
        await using var client = fixture.DurableClient();
        // Wait for the run to be under way, so that its status cannot change on its own between the two reads.
        var before = await Eventually.Get(
            () => client.GetInstanceAsync(incident.Id), i => i?.RuntimeStatus == Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Running, "the orchestration running");

        var lifecycle = new Lifecycle.DurableIncidentLifecycle(client, events: null);
        var started = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => lifecycle.EnsureStartedAsync(incident.Id, opening: null, CancellationToken.None)));

        Assert.All(started, Assert.False);
        var after = await client.GetInstanceAsync(incident.Id);
        Assert.Equal(before.CreatedAt, after!.CreatedAt);
        Assert.Equal(before.RuntimeStatus, after.RuntimeStatus);
    }

    internal static string Alert(string key, string title, string status = "firing") => JsonSerializer.Serialize(new
    {
        title,
        severity = "critical",
        status,
        dedupKey = key,
        source = "e2e",
        labels = new Dictionary<string, string> { ["service"] = "checkout" },
    });

    static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode expected, string field)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(Problem.ContentType, response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"the problem should name '{field}': {problem}");
    }
}
