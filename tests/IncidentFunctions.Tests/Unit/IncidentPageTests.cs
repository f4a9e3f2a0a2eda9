using System.Text.RegularExpressions;
using Azure;
using IncidentFunctions.Access;
using IncidentFunctions.Incidents;
using IncidentFunctions.Model;
using IncidentFunctions.Policy;
using IncidentFunctions.Tests.Infrastructure;
using IncidentFunctions.Timeline;
using IncidentFunctions.WebConsole;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace IncidentFunctions.Tests.Unit;

/// <summary>
/// The incident page and its fragments, rendered as the functions render them: hostile alert and people's text stays
/// text, a link from outside is a link only when http(s), what the viewer may do follows the API's access decision, and
/// the timeline shows what its filter and page say.
/// </summary>
public sealed partial class IncidentPageTests
{
    static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    const string Id = "inc-20261204-abcdef";
    const string Script = "<script>alert(1)</script>";
    const string Breakout = "\"><img src=x onerror=alert(2)>";
    const string JavaScriptUrl = "javascript:alert(3)";

    static readonly IncidentPolicy Policy = PolicyParser.Parse(new TestPolicy().Json, "incident-page-tests");
    // The page's composers read the evidence size limit from the app's settings, as in the app.
    static readonly PageRenderer Renderer = new(
        new ServiceCollection().AddSingleton(Microsoft.Extensions.Options.Options.Create(new IncidentFunctions.Responding.EvidenceOptions())).BuildServiceProvider(),
        NullLoggerFactory.Instance);

    static Caller Responder(string? person = null) => new("Responder", "aad", null, null, new HashSet<AppRole> { AppRole.Responder }, person);

    static Caller Viewer() => new("Viewer", "aad", null, null, new HashSet<AppRole> { AppRole.Viewer }, null);

    static IncidentEntity HostileIncident(string? commander = null)
    {
        var alert = new Alert(
            "alert-1", "e2e", "key-1", Script + Breakout, Severity.Critical, AlertStatus.Firing, Breakout, Script,
            new Dictionary<string, string> { [Breakout] = Script, ["team"] = "a&b" },
            [new AlertLink(JavaScriptUrl, Script), new AlertLink("https://runbooks.example.com/x?a=1&b=2", "Runbook")],
            null, Now.AddHours(-2));
        var incident = IncidentEntity.Open(Id, alert, Now.AddHours(-2));
        incident.ETag = new ETag("W/\"datetime'2026-12-04T11%3A59%3A00.0000000Z'\"");
        incident.Priority = nameof(Priority.P1);
        incident.ServiceName = Breakout;
        var response = incident.ResponseValue with
        {
            Category = Script,
            Participants = ["alice", Breakout],
            Pinned = ["note-1"],
            Roles = commander is null
                ? new Dictionary<string, IReadOnlyList<string>>()
                : new Dictionary<string, IReadOnlyList<string>> { [IncidentResponse.CommanderRole] = [commander], [Breakout] = ["bob"] },
        };
        incident.SetResponse(response);
        return incident;
    }

    /// <summary>The view as the function builds it: the API's view of the incident, its ETag, and the access decision on its facts.</summary>
    static IncidentView ViewOf(Caller viewer, IncidentEntity incident) =>
        IncidentPageModel.ViewOf(viewer, IncidentFunctions.Responding.IncidentViews.Of(incident, Now), incident.ETag.ToString(), IncidentAccessFacts.Of(incident), Policy, Now);

    static StoredEvent Stored(TimelineEvent e, DateTimeOffset storedAt) => new(e, TimelineStore.RowKeyOf(e), storedAt);

    static IReadOnlyList<StoredEvent> HostileTimeline() =>
    [
        Stored(new TimelineEvent("alert-1", Now.AddHours(-2), TimelineEventTypes.AlertReceived, "e2e", Channels.Source, Script), Now.AddHours(-2)),
        Stored(new TimelineEvent("note-1", Now.AddHours(-1), TimelineEventTypes.NoteAdded, Breakout, Channels.Api, Script + Breakout), Now.AddHours(-1)),
        Stored(new TimelineEvent("r2-1", Now.AddMinutes(-30), TimelineEventTypes.EvidenceAdded, "Alice", Channels.Api, "Evidence link",
            new Dictionary<string, string> { ["kind"] = "link", ["url"] = JavaScriptUrl, ["title"] = Script }), Now.AddMinutes(-30)),
        Stored(new TimelineEvent("r3-1", Now.AddMinutes(-20), TimelineEventTypes.EvidenceAdded, "Alice", Channels.Api, "Evidence file",
            new Dictionary<string, string> { ["kind"] = "file", ["evidence"] = "ev1", ["fileName"] = Breakout, ["sha256"] = "00" }), Now.AddMinutes(-20)),
        Stored(new TimelineEvent("r4-1", Now.AddMinutes(-1), TimelineEventTypes.IncidentAcknowledged, "Bob", Channels.EmailLink, "Acknowledged"), Now.AddMinutes(-1)),
    ];

    static IReadOnlyList<IncidentTask> Tasks() =>
    [
        new("t1", Script, null, TaskAssignee.ToPerson("alice"), TaskPriority.High, Now.AddMinutes(-5), IncidentTaskStatus.Open, null, true, JavaScriptUrl, null, Now.AddHours(-1), "alice", Now.AddHours(-1)),
        new("t2", "Write the timeline", null, TaskAssignee.ToRole(Breakout), TaskPriority.Low, Now.AddHours(1), IncidentTaskStatus.InProgress, null, false, null, null, Now.AddHours(-1), "alice", Now.AddHours(-1)),
        new("t3", "Done already", null, null, TaskPriority.Low, Now.AddMinutes(-50), IncidentTaskStatus.Done, null, false, null, null, Now.AddHours(-1), "alice", Now.AddHours(-1)),
    ];

    static async Task<string> RenderPageAsync(IncidentEntity incident, Caller viewer, IReadOnlyList<StoredEvent> stored, TimelineFilter filter = TimelineFilter.All, int shown = IncidentPageModel.TimelinePage)
    {
        var view = ViewOf(viewer, incident);
        var page = await Renderer.PageAsync<IncidentPage>(200, new Dictionary<string, object?>
        {
            [nameof(IncidentPage.View)] = view,
            [nameof(IncidentPage.Tasks)] = Tasks(),
            [nameof(IncidentPage.Timeline)] = IncidentPageModel.TimelineOf(Id, stored, TimelineStore.NoHead, filter, view.Incident.Response.Pinned, shown),
            [nameof(IncidentPage.Alerts)] = new List<AlertEntity>
            {
                AlertEntity.From(Id, new Alert("alert-1", "e2e", "key-1", Script, Severity.Critical, AlertStatus.Firing, Breakout, null,
                    new Dictionary<string, string> { [Breakout] = Script }, [], null, Now.AddHours(-2), Raw: "{\"title\":\"" + Script + "\"}")),
            },
            [nameof(IncidentPage.Evidence)] = stored.Where(e => e.Event.Type == TimelineEventTypes.EvidenceAdded).Select(e => e.Event).ToList(),
        });
        return page.Html;
    }

    [Theory]
    [InlineData("alice", "Alice")]
    [InlineData("aad:dana@example.com", "dana@example.com")]
    [InlineData("github:dana", "dana")]
    [InlineData("oid:6f1c2a9e-0d4b-4a55-9c1e-3b1f0c2d7e88", "oid:6f1c2a9e-0d4b-4a55-9c1e-3b1f0c2d7e88")]
    [InlineData("plain", "plain")]
    [InlineData(null, "nobody")]
    public void APersonIsNamedAsThePolicyNamesThemElseAsTheySignedIn(string? id, string shown) =>
        Assert.Equal(shown, IncidentText.Person(Policy, id));

    [Fact]
    public async Task HostileTitlesLabelsNotesAndLinksStayInertText()
    {
        var html = await RenderPageAsync(HostileIncident("alice"), Responder(), HostileTimeline());

        Assert.DoesNotContain("<script>alert", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Hrefs(html), href => href.Contains("javascript:", StringComparison.OrdinalIgnoreCase));
        Assert.All(ScriptTags().Matches(html), tag => Assert.Contains(" src=\"/api/console/assets/", tag.Value, StringComparison.Ordinal));
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;", html, StringComparison.Ordinal);

        // The javascript: links are there as text; the https one is a link.
        Assert.Contains(JavaScriptUrl, html, StringComparison.Ordinal);
        Assert.Contains("href=\"https://runbooks.example.com/x?a=1&amp;b=2\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEvidenceFileLinksToTheApisDownloadRoute()
    {
        var html = await RenderPageAsync(HostileIncident(), Responder(), HostileTimeline());

        Assert.Contains($"href=\"/api/incidents/{Id}/evidence/ev1\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheHeaderShowsTheIncidentsStateAndAnOverdueTaskIsMarked()
    {
        var html = await RenderPageAsync(HostileIncident("alice"), Responder(), HostileTimeline());

        foreach (var expected in new[] { "P1", "Triage", "2 h 0 min", "Alice", "Standard", "Overdue", "whoever holds", "not yet" })
        {
            Assert.Contains(expected, html, StringComparison.Ordinal);
        }

        Assert.Single(Regex.Matches(html, "<tr class=\"overdue\""));
        Assert.Contains($"data-etag=\"W/&quot;datetime&#x27;2026-12-04T11%3A59%3A00.0000000Z&#x27;&quot;\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void TheIncidentsOwnCommanderMayCommandItAndAViewerMayDoNothing()
    {
        var incident = HostileIncident(commander: "carol");

        var own = ViewOf(Responder("carol"), incident);
        Assert.True(own.CanRespond);
        Assert.True(own.CanCommand);

        var other = ViewOf(Responder("bob"), incident);
        Assert.True(other.CanRespond);
        Assert.False(other.CanCommand);

        var viewer = ViewOf(Viewer(), incident);
        Assert.False(viewer.CanRespond);
        Assert.False(viewer.CanCommand);
    }

    [Theory]
    [InlineData(TimelineFilter.All, new[] { "alert-1", "note-1", "r2-1", "r3-1", "r4-1" })]
    [InlineData(TimelineFilter.Alerts, new[] { "alert-1" })]
    [InlineData(TimelineFilter.People, new[] { "note-1", "r2-1", "r3-1", "r4-1" })]
    [InlineData(TimelineFilter.Pinned, new[] { "note-1" })]
    public async Task TheTimelineShowsTheFiltersEventsNewestFirst(TimelineFilter filter, string[] expected)
    {
        var html = await RenderPageAsync(HostileIncident(), Responder(), HostileTimeline(), filter);

        var timeline = html[html.IndexOf("id=\"timeline-live\"", StringComparison.Ordinal)..html.IndexOf("id=\"alerts-heading\"", StringComparison.Ordinal)];
        Assert.Equal(expected.Reverse(), EventIds(timeline));
        Assert.Contains("aria-current=\"page\">" + filter.LabelOf().Replace("'", "&#x27;", StringComparison.Ordinal) + "</a>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AThousandEventsShowTheNewestPageAndOlderPagesFollowWithoutGapOrRepeat()
    {
        var stored = Enumerable.Range(0, 1000)
            .Select(i => Stored(new TimelineEvent($"e{i:D4}", Now.AddMinutes(-1000 + i), TimelineEventTypes.NoteAdded, "alice", Channels.Api, $"note {i}"), Now.AddMinutes(-1000 + i)))
            .ToList();
        var timeline = IncidentPageModel.TimelineOf(Id, stored, TimelineStore.NoHead, TimelineFilter.All, [], IncidentPageModel.TimelinePage);

        var seen = timeline.Live.Concat(timeline.Settled).Select(e => e.Event.Id).ToList();
        Assert.Equal(timeline.Live.Count + IncidentPageModel.TimelinePage, seen.Count);
        Assert.Equal("e0999", seen[0]);

        var html = await Renderer.RenderAsync<IncidentTimelineSection>(new Dictionary<string, object?> { [nameof(IncidentTimelineSection.Timeline)] = timeline });
        Assert.Equal(seen, EventIds(html));
        Assert.Contains("hx-get=\"/api/console/incidents/" + Id + "/timeline/older?before=", html, StringComparison.Ordinal);

        var older = timeline.Older;
        while (older is not null)
        {
            var page = IncidentPageModel.OlderOf(Id, stored, older, TimelineFilter.All, []);
            var fragment = await Renderer.RenderAsync<OlderEventsFragment>(new Dictionary<string, object?> { [nameof(OlderEventsFragment.Page)] = page });
            Assert.Equal(page.Events.Select(e => e.Event.Id), EventIds(fragment));
            seen.AddRange(page.Events.Select(e => e.Event.Id));
            older = page.Older;
        }

        Assert.Equal(stored.Select(e => e.Event.Id).Reverse(), seen);
    }

    [Fact]
    public async Task ABurstShowsOnlyTheNewestOfItsEventsAtFirstAndEveryOneOnceItSettles()
    {
        // A thousand events stored within the same half minute, as a storm or a benchmark's seeding writes them.
        var burst = Enumerable.Range(0, 1000)
            .Select(i => Stored(new TimelineEvent($"b{i:D4}", Now.AddSeconds(i * 0.03), TimelineEventTypes.AlertRepeated, "e2e", Channels.Source, $"repeat {i}"), Now.AddSeconds(i * 0.03)))
            .ToList();
        var timeline = IncidentPageModel.TimelineOf(Id, burst, TimelineStore.NoHead, TimelineFilter.All, [], IncidentPageModel.TimelinePage);

        var html = await Renderer.RenderAsync<IncidentTimelineSection>(new Dictionary<string, object?> { [nameof(IncidentTimelineSection.Timeline)] = timeline });
        Assert.Equal(IncidentPageModel.TimelinePage, EventIds(html).Count);
        Assert.Contains($"{1000 - IncidentPageModel.TimelinePage} more events recorded in the last minute", html, StringComparison.Ordinal);

        // A quiet minute later one more event: the burst settles, and the poll's answer adds every event not yet shown.
        var after = Stored(new TimelineEvent("after", Now.AddMinutes(2), TimelineEventTypes.NoteAdded, "alice", Channels.Api, "after"), Now.AddMinutes(2));
        var delivery = timeline.Cursor.Next([.. burst, after])!;
        var update = await Renderer.RenderAsync<TimelineUpdateFragment>(new Dictionary<string, object?>
        {
            [nameof(TimelineUpdateFragment.Update)] = new TimelineUpdate(Id, TimelineFilter.All, new HashSet<string>(), delivery),
        });
        var oob = update[update.IndexOf("hx-swap-oob", StringComparison.Ordinal)..];
        Assert.Equal(burst.Select(e => e.Event.Id).Order(), EventIds(oob).Order());
        Assert.Equal(["after"], EventIds(update[..update.IndexOf("hx-swap-oob", StringComparison.Ordinal)]));
    }

    [Fact]
    public async Task APollsAnswerReplacesTheLiveListAndAddsTheSettledEventsOutOfBand()
    {
        var earlier = Stored(new TimelineEvent("a", Now.AddMinutes(-10), TimelineEventTypes.NoteAdded, "alice", Channels.Api, "first"), Now.AddMinutes(-10));
        var late = Stored(new TimelineEvent("late", Now.AddHours(-3), TimelineEventTypes.AlertReceived, "e2e", Channels.Source, Script), Now);
        var cursor = TimelineCursor.Start.Next([earlier])!.Cursor;
        var delivery = cursor.Next([earlier, late])!;

        var html = await Renderer.RenderAsync<TimelineUpdateFragment>(new Dictionary<string, object?>
        {
            [nameof(TimelineUpdateFragment.Update)] = new TimelineUpdate(Id, TimelineFilter.All, new HashSet<string>(), delivery),
        });

        var live = html[..html.IndexOf("</ol>", StringComparison.Ordinal)];
        Assert.Contains("id=\"timeline-live\"", live, StringComparison.Ordinal);
        Assert.Equal(["late"], EventIds(live));
        Assert.Contains($"settled={delivery.Cursor.SettledAt.UtcTicks}&amp;unsettled=1", live, StringComparison.Ordinal);
        var oob = html[html.IndexOf("hx-swap-oob=\"afterbegin:#timeline-settled\"", StringComparison.Ordinal)..];
        Assert.Equal(["a"], EventIds(oob));
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheLiveRegionPollsWithTheETagItShowsAndHoldsThePanels()
    {
        var view = ViewOf(Responder(), HostileIncident());
        var html = await Renderer.RenderAsync<IncidentLive>(new Dictionary<string, object?>
        {
            [nameof(IncidentLive.View)] = view,
            [nameof(IncidentLive.Tasks)] = Tasks(),
        });

        Assert.StartsWith("<section id=\"incident-live\"", html.TrimStart(), StringComparison.Ordinal);
        Assert.Contains($"hx-get=\"/api/console/incidents/{Id}/live?etag={Uri.EscapeDataString(view.ETag)}\"", html, StringComparison.Ordinal);
        Assert.Contains("hx-swap=\"outerHTML\"", html, StringComparison.Ordinal);
    }

    static List<string> EventIds(string html) => [.. EventAttribute().Matches(html).Select(m => m.Groups[1].Value)];

    static IEnumerable<string> Hrefs(string html) => HrefAttribute().Matches(html).Select(m => m.Groups[1].Value.Trim());

    [GeneratedRegex("data-event=\"([^\"]*)\"")]
    private static partial Regex EventAttribute();

    [GeneratedRegex("(?:href|src|action|hx-get)=\"([^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex HrefAttribute();

    [GeneratedRegex("<script[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptTags();
}
