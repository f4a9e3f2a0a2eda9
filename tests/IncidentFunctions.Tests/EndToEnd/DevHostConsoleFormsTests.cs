using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IncidentFunctions.Access;
using IncidentFunctions.Http;
using IncidentFunctions.Model;
using IncidentFunctions.Policy;
using IncidentFunctions.Responding;
using IncidentFunctions.Tests.Infrastructure;
using IncidentFunctions.WebConsole;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Tests.EndToEnd;

/// <summary>
/// The incident page's forms against the real API on the dev host: each form is rendered as the page renders it
/// (PageRenderer, the incident as GET answers it, its ETag), filled as a person would (only fields and options the
/// form has), encoded as console.js encodes it (<see cref="ConsoleScriptMirror"/>, kept in step with console.js by
/// ConsoleScriptMirrorTests) and sent with the form's method, route and headers. Every answer must be a 2xx with the
/// effect on the incident, so a field name, a type or a header the API does not take fails here.
/// </summary>
[Collection(DevHostCollection.Name)]
public sealed class DevHostConsoleFormsTests(DevHostFixture fixture)
{
    static readonly TimeZoneInfo Tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");

    IncidentPolicy Policy => PolicyParser.Parse(fixture.Policy.Json, "e2e-policy.json");

    Caller Alice => Person("alice", AppRole.Responder);

    static Caller Commander => new("commander@example.com", "aad", null, null, new HashSet<AppRole> { AppRole.Commander }, null);

    [Fact]
    public async Task AResponderAcknowledgesMovesTheStageAddsRespondersAndResolvesThroughTheForms()
    {
        var id = await OpenAsync("forms-respond");

        var page = await PageAsync<IncidentActions>(id, Alice);
        var acknowledged = await SubmitAsync(page, Routes.IncidentAcknowledge, Alice);
        Assert.Equal("applied", acknowledged.GetProperty("outcome").GetString());

        page = await PageAsync<IncidentActions>(id, Alice);
        Assert.DoesNotContain(RenderedForm.AllIn(page.Html), f => f.Path.EndsWith("/acknowledge", StringComparison.Ordinal));
        var staged = await SubmitOnFreshPageAsync(id, Routes.IncidentStage, Alice, [("stage", "identified"), ("reason", "bad deploy found")]);
        Assert.Equal("identified", staged.GetProperty("response").GetProperty("stage").GetString());

        page = await PageAsync<IncidentActions>(id, Alice);
        await SubmitAsync(page, Routes.IncidentResponders, Alice, values: [("people", TestPolicy.Outsider), ("teams", "platform"), ("message", "Join the bridge")]);
        var added = Assert.Single(await fixture.TimelineAsync(id), e => e.Type == TimelineEventTypes.RespondersAdded);
        Assert.Equal(["alice", "bob", "carol", TestPolicy.Outsider], added.Data!["people"].Split(',').Order());

        var resolved = await SubmitAsync(page, Routes.IncidentResolve, Alice);
        Assert.Equal("resolved", resolved.GetProperty("incident").GetProperty("status").GetString());
    }

    [Fact]
    public async Task ACommanderChangesSeverityHandsOffAndReleasesARoleAndDeclinesThroughTheForms()
    {
        var id = await OpenAsync("forms-command");

        var page = await PageAsync<IncidentActions>(id, Commander);
        var changed = await SubmitOnFreshPageAsync(id, Routes.IncidentSeverity, Commander, [("severity", "warning"), ("reason", "one region only")]);
        Assert.Equal("warning", changed.GetProperty("severity").GetString());

        // A page read before that change is stale: the form's If-Match makes the API refuse instead of overwriting.
        using (var stale = await SendAsync(RenderedForm.At(page.Html, Api(Routes.IncidentSeverity, id)).Request(page.View.ETag, values: [("severity", "info"), ("reason", "stale")]), Commander))
        {
            Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        }

        var handed = await SubmitOnFreshPageAsync(id, Routes.IncidentRoles, Commander, [("role", "scribe"), ("person", "bob"), ("note", "keep the timeline")]);
        Assert.Equal(["bob"], handed.GetProperty("response").GetProperty("roles").GetProperty("scribe").EnumerateArray().Select(p => p.GetString()));

        var released = await SubmitOnFreshPageAsync(id, Routes.IncidentRoleHolder, Commander, [], "DELETE", ("role", "scribe"), ("person", "bob"));
        Assert.False(released.GetProperty("response").GetProperty("roles").TryGetProperty("scribe", out var left) && left.GetArrayLength() > 0);

        var declined = await SubmitOnFreshPageAsync(id, Routes.IncidentDecline, Commander, [("reason", "a test alert")]);
        Assert.Equal("declined", declined.GetProperty("response").GetProperty("stage").GetString());
        Assert.Contains(await fixture.TimelineAsync(id), e => e.Type == TimelineEventTypes.RoleReleased);
    }

    [Fact]
    public async Task ADuplicateIsMergedAndTheIncidentsOwnCommanderClosesItWithTheResponderRole()
    {
        var duplicate = await OpenAsync("forms-duplicate");
        var target = await OpenAsync("forms-target");

        var merged = await SubmitOnFreshPageAsync(duplicate, Routes.IncidentMerge, Commander, [("into", target), ("reason", "same outage")]);
        Assert.Equal(target, merged.GetProperty("response").GetProperty("mergedInto").GetString());

        // Acknowledging makes alice (a responder the policy knows) the incident's commander: the page offers her its close.
        await SubmitAsync(await PageAsync<IncidentActions>(target, Alice), Routes.IncidentAcknowledge, Alice);
        await SubmitAsync(await PageAsync<IncidentActions>(target, Alice), Routes.IncidentResolve, Alice);
        Assert.True((await PageAsync<IncidentActions>(target, Alice)).View.CanCommand);
        var closed = await SubmitOnFreshPageAsync(target, Routes.IncidentClose, Alice, [("reason", "fixed and reviewed")]);
        Assert.Equal("closed", closed.GetProperty("response").GetProperty("stage").GetString());
    }

    [Fact]
    public async Task TheComposersWriteANoteAnUpdateADecisionAFileAndALinkWithTheirTimesInTheWritersZone()
    {
        var id = await OpenAsync("forms-compose");
        await SubmitAsync(await PageAsync<IncidentActions>(id, Alice), Routes.IncidentAcknowledge, Alice);
        var page = await PageAsync<IncidentComposers>(id, Alice);
        var now = DateTimeOffset.UtcNow;
        var happened = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(-20);
        var nextUpdate = happened.AddHours(2);

        var note = await SubmitAsync(page, Routes.IncidentNotes, Alice, Tokyo, [("body", "Rolled back <b>42</b>"), ("occurredAt", InTokyo(happened))]);
        Assert.Equal(happened, note.GetProperty("event").GetProperty("occurredAt").GetDateTimeOffset());

        var update = await SubmitAsync(page, Routes.IncidentUpdates, Alice, Tokyo, [("audience", "stakeholders"), ("body", "Checkout is degraded"), ("nextUpdateAt", InTokyo(nextUpdate))]);
        Assert.Equal(nextUpdate, update.GetProperty("nextDue").GetProperty("dueAt").GetDateTimeOffset());
        Assert.Equal("stakeholders", update.GetProperty("event").GetProperty("data").GetProperty("audience").GetString());

        var decision = await SubmitAsync(page, Routes.IncidentDecisions, Alice, Tokyo,
            [("decision", "Fail over to the second region"), ("rationale", "the first is down"), ("options", "Fail over\nWait for the fix, 1 hour"), ("decidedBy", "bob")]);
        var decided = decision.GetProperty("event").GetProperty("data");
        Assert.Equal(("bob", "Fail over", "Wait for the fix, 1 hour"), (decided.GetProperty("decidedBy").GetString(), decided.GetProperty("options.0").GetString(),
            decided.GetProperty("options.1").GetString()));
        Assert.False(decided.TryGetProperty("options.2", out _));

        // A JSON file is a file, not a link, because the form sends its name where the API reads it.
        var content = Encoding.UTF8.GetBytes("""{"url":"https://not-a-link.example.com"}""");
        var file = RenderedForm.AllIn(page.Html).Single(f => f.SendsFile);
        using (var uploaded = await SendAsync(file.FileRequest(page.View.ETag, "grafana dump.json", "application/json", content), Alice))
        {
            Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
            var data = (await uploaded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("event").GetProperty("data");
            Assert.Equal(("file", "grafana dump.json", content.Length.ToString(CultureInfo.InvariantCulture)),
                (data.GetProperty("kind").GetString(), data.GetProperty("fileName").GetString(), data.GetProperty("size").GetString()));
        }

        var link = RenderedForm.AllIn(page.Html).Single(f => f.Path == Api(Routes.IncidentEvidence, id) && !f.SendsFile);
        using var linked = await SendAsync(link.Request(page.View.ETag, values: [("url", "https://grafana.example.com/d/42"), ("title", "Latency board")]), Alice);
        Assert.Equal(HttpStatusCode.Created, linked.StatusCode);
        Assert.Equal("https://grafana.example.com/d/42", (await linked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("event").GetProperty("data").GetProperty("url").GetString());
    }

    /// <summary>What a person in Tokyo types into a datetime-local input for this instant.</summary>
    static string InTokyo(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Tokyo).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);

    static string Api(string route, string id) => ConsolePaths.Api(route, ("id", id));

    Caller Person(string person, AppRole role) =>
        new(fixture.Policy.Email(person), "aad", fixture.Policy.Email(person), null, new HashSet<AppRole> { role }, person);

    async Task<string> OpenAsync(string name)
    {
        var key = TestAlerts.NewKey(name);
        (await fixture.PostAlertAsync(DevHostPipelineTests.Alert(key, $"Console forms: {name}"))).EnsureSuccessStatusCode();
        var incident = await Eventually.Get(() => fixture.FindIncidentAsync(key, "open"), "the open incident");
        return incident!.Id;
    }

    /// <summary>
    /// The component as the incident page renders it for <paramref name="viewer"/>: the incident and its ETag as GET
    /// answers them (once triaged, so that its severity can change), what the viewer may do by the API's access rule.
    /// </summary>
    async Task<(IncidentView View, string Html)> PageAsync<TComponent>(string id, Caller viewer)
        where TComponent : IComponent
    {
        var (incident, etag) = await Eventually.Get(
            async () =>
            {
                using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"incidents/{id}"), viewer);
                response.EnsureSuccessStatusCode();
                var read = (await response.Content.ReadFromJsonAsync<Incident>(JsonDefaults.Options))!;
                return read.Priority is null ? default : (read, response.Headers.ETag!.ToString());
            },
            r => r.Item1 is not null,
            "the incident triaged");
        var facts = IncidentAccessFacts.Of(incident.Response);
        var view = new IncidentView(
            incident, etag, viewer,
            IncidentAccess.Decide(viewer, Permission.Respond, facts) == AccessDecision.Allowed,
            IncidentAccess.Decide(viewer, Permission.Command, facts) == AccessDecision.Allowed,
            Policy, DateTimeOffset.UtcNow);
        await using var services = new ServiceCollection().AddSingleton(Options.Create(new EvidenceOptions())).BuildServiceProvider();
        var html = await new PageRenderer(services, NullLoggerFactory.Instance).RenderAsync<TComponent>(new Dictionary<string, object?> { ["View"] = view });
        return (view, html);
    }

    /// <summary>Submits the page's form for <paramref name="route"/> as <paramref name="caller"/>; its answer must be a 2xx.</summary>
    async Task<JsonElement> SubmitAsync(
        (IncidentView View, string Html) page, string route, Caller caller, TimeZoneInfo? zone = null, (string Name, string Value)[]? values = null)
    {
        var form = RenderedForm.At(page.Html, Api(route, page.View.Incident.Id));
        using var response = await SendAsync(form.Request(page.View.ETag, zone, values ?? []), caller);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{form.Method} {form.Path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>
    /// Submits the actions' form for <paramref name="route"/> from a page read just before, as a person does after a 412:
    /// the escalation writes the incident too (a level paged, a page recorded), so a page read a moment ago may be stale
    /// through nobody's edit; then the page is brought up to date and the form sent again.
    /// </summary>
    async Task<JsonElement> SubmitOnFreshPageAsync(
        string id, string route, Caller caller, (string Name, string Value)[] values, string method = "POST", params (string Name, string Value)[] routeValues)
    {
        for (var attempt = 1; ; attempt++)
        {
            var page = await PageAsync<IncidentActions>(id, caller);
            var form = RenderedForm.At(page.Html, ConsolePaths.Api(route, [("id", id), .. routeValues]), method);
            Assert.True(form.SendsIfMatch, $"{form.Method} {form.Path} sends no If-Match");
            using var response = await SendAsync(form.Request(page.View.ETag, values: values), caller);
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.PreconditionFailed && attempt < 5)
            {
                continue;
            }

            Assert.True(response.IsSuccessStatusCode, $"{form.Method} {form.Path}: {(int)response.StatusCode} {body}");
            return JsonDocument.Parse(body).RootElement.Clone();
        }
    }

    Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, Caller caller)
    {
        request.Headers.Add(ClientPrincipal.Header, ClientPrincipal.Encode(caller.Name, roles: caller.Roles.Select(AppRoles.ValueOf), email: caller.Email));
        return fixture.Http.SendAsync(request);
    }
}
