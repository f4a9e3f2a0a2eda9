using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using IncidentFunctions.Access;
using IncidentFunctions.Http;
using IncidentFunctions.Incidents;
using IncidentFunctions.Model;
using IncidentFunctions.TestTools;
using IncidentFunctions.Tests.Infrastructure;
using IncidentFunctions.Timeline;

namespace IncidentFunctions.Tests.EndToEnd;

/// <summary>
/// The console's incident page on the dev host: a reader gets it, a restricted incident is the same 404 page as a
/// missing one, and its two polls answer 204 until something changes, then the change: an acknowledgement through the
/// API, a note posted after the cursor, and an event written late with a time earlier than everything on the page.
/// </summary>
[Collection(DevHostCollection.Name)]
public sealed partial class DevHostConsoleIncidentTests(DevHostFixture fixture)
{
    static readonly string Responder = ClientPrincipal.Encode("responder@example.com");
    static readonly string Viewer = ClientPrincipal.Encode("viewer@example.com", roles: [AppRoles.ValueOf(AppRole.Viewer)]);

    async Task<Incident> OpenIncidentAsync(string title)
    {
        var key = TestAlerts.NewKey("console-incident");
        (await fixture.PostAlertAsync(DevHostPipelineTests.Alert(key, title))).EnsureSuccessStatusCode();
        return await Eventually.Get(() => fixture.FindIncidentAsync(key, "open"), "the open incident");
    }

    async Task<(HttpStatusCode Status, string Body)> GetAsync(string path, string principal)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add(ClientPrincipal.Header, principal);
        using var response = await fixture.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    async Task PostAsync(string path, object? body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add(ClientPrincipal.Header, Responder);
        using var response = await fixture.Http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The URL an element of the page polls (its hx-get), as the browser would request it.</summary>
    static string PollOf(string html, string elementId)
    {
        var match = Regex.Match(html, $"id=\"{elementId}\"[^>]*?hx-get=\"([^\"]*)\"");
        Assert.True(match.Success, $"no #{elementId} polling in: {html[..Math.Min(html.Length, 2000)]}");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    /// <summary>
    /// Polls the timeline as the page does, following each answer's next cursor, until a poll finds nothing new; returns
    /// that cursor's URL and every event id delivered on the way.
    /// </summary>
    async Task<string> PollTimelineUntilQuietAsync(string poll, List<string> delivered) =>
        await Eventually.Get(async () =>
        {
            var (status, body) = await GetAsync(poll, Responder);
            if (status == HttpStatusCode.NoContent)
            {
                return poll;
            }

            Assert.Equal(HttpStatusCode.OK, status);
            delivered.AddRange(EventIds(body));
            poll = PollOf(body, "timeline-live");
            return null;
        }, "a timeline poll that finds nothing new");

    static IEnumerable<string> EventIds(string html) => EventAttribute().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value));

    [Fact]
    public async Task AReaderGetsThePageAndARestrictedOutsiderTheSamePageAsAMissingIncident()
    {
        var incident = await OpenIncidentAsync("Console page for a reader");
        var (status, html) = await GetAsync($"console/incidents/{incident.Id}", Viewer);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Console page for a reader", html, StringComparison.Ordinal);
        Assert.Contains("id=\"timeline-live\"", html, StringComparison.Ordinal);

        var admin = ClientPrincipal.Encode("root@example.com", roles: [AppRoles.ValueOf(AppRole.Admin)]);
        using var declare = new HttpRequestMessage(HttpMethod.Post, Routes.Incidents)
        {
            Content = JsonContent.Create(new { title = "Restricted console incident", severity = "critical", service = "checkout", visibility = "restricted", page = false }),
        };
        declare.Headers.Add(ClientPrincipal.Header, admin);
        using var declared = await fixture.Http.SendAsync(declare);
        Assert.Equal(HttpStatusCode.Created, declared.StatusCode);
        var restricted = (await declared.Content.ReadFromJsonAsync<Incident>(JsonDefaults.Options))!;

        var outsider = ClientPrincipal.Encode("Dana", roles: [AppRoles.ValueOf(AppRole.Responder)], email: fixture.Policy.Email(TestPolicy.Outsider));
        var missing = IncidentIds.New(DateTimeOffset.UtcNow);
        var (hiddenStatus, hidden) = await GetAsync($"console/incidents/{restricted.Id}", outsider);
        var (missingStatus, absent) = await GetAsync($"console/incidents/{missing}", outsider);

        Assert.Equal(HttpStatusCode.NotFound, hiddenStatus);
        Assert.Equal(HttpStatusCode.NotFound, missingStatus);
        Assert.DoesNotContain("Restricted console incident", hidden, StringComparison.Ordinal);
        Assert.Equal(absent.Replace(missing, "ID", StringComparison.Ordinal), hidden.Replace(restricted.Id, "ID", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(PollOf(html, "incident-live").Replace(incident.Id, restricted.Id, StringComparison.Ordinal), outsider)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(PollOf(html, "timeline-live").Replace(incident.Id, restricted.Id, StringComparison.Ordinal), outsider)).Status);
    }

    [Fact]
    public async Task TheLiveRegionAnswersNothingUntilTheIncidentChangesThenTheAcknowledgement()
    {
        var incident = await OpenIncidentAsync("Console live header");

        // The incident's first moments (triage, paging) change it: wait, as the page does, until a poll finds it unchanged.
        var poll = await Eventually.Get(async () =>
        {
            var (_, html) = await GetAsync($"console/incidents/{incident.Id}", Responder);
            var live = PollOf(html, "incident-live");
            return (await GetAsync(live, Responder)).Status == HttpStatusCode.NoContent ? live : null;
        }, "a header poll answering 204");

        await PostAsync($"incidents/{incident.Id}/acknowledge", null);

        var (status, region) = await GetAsync(poll, Responder);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("acknowledged by responder@example.com", region, StringComparison.Ordinal);
        var next = PollOf(region, "incident-live");
        Assert.NotEqual(poll, next);
        Assert.Matches("data-etag=\"[^\"]+\"", region);
    }

    [Fact]
    public async Task TheTimelinePollDeliversANotePostedAfterItsCursorAndAnEventWrittenLateWithAnEarlierTime()
    {
        var incident = await OpenIncidentAsync("Console live timeline");
        var (_, html) = await GetAsync($"console/incidents/{incident.Id}", Responder);
        var delivered = new List<string>();
        var poll = await PollTimelineUntilQuietAsync(PollOf(html, "timeline-live"), delivered);

        await PostAsync($"incidents/{incident.Id}/notes", new { body = "Rolled back deploy 42" });
        var (status, update) = await GetAsync(poll, Responder);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Rolled back deploy 42", update, StringComparison.Ordinal);
        poll = PollOf(update, "timeline-live");

        // Written now with a time before the incident opened, as a queue-delayed alert or a retried activity is: its row
        // key sorts before every event the page holds.
        var late = new TimelineEvent("late-" + Guid.NewGuid().ToString("N"), incident.OpenedAt.AddHours(-1), TimelineEventTypes.AlertRepeated, "e2e", Channels.Source, "Late alert");
        Assert.True(await new TimelineStore(fixture.Azurite.Tables).AppendAsync(incident.Id, late, CancellationToken.None));

        delivered.Clear();
        await PollTimelineUntilQuietAsync(poll, delivered);
        Assert.Contains(late.Id, delivered);
    }

    [GeneratedRegex("data-event=\"([^\"]*)\"")]
    private static partial Regex EventAttribute();
}
