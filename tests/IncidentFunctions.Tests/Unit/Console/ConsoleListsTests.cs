using System.Text.RegularExpressions;
using IncidentFunctions.Access;
using IncidentFunctions.Model;
using IncidentFunctions.WebConsole;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Primitives;
using static IncidentFunctions.Tests.Unit.Coordination.TestResponse;

namespace IncidentFunctions.Tests.Unit.Console;

/// <summary>The incidents list's filters, counts and version, the dashboard's figures, and what the three pages render.</summary>
public sealed class ConsoleListsTests
{
    const string Hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&";

    static readonly Caller Responder = new("Dana", "aad", "dana@example.com", null, new HashSet<AppRole> { AppRole.Responder }, "dana");
    static readonly Caller Admin = new("Root", "aad", "root@example.com", null, new HashSet<AppRole> { AppRole.Admin }, null);

    static ListedIncident Listed(
        string id, IncidentStatus status = IncidentStatus.Open, Stage stage = Stage.Investigating, Priority? priority = Priority.P1, string service = "checkout",
        string? category = null, Visibility visibility = Visibility.Standard, string? commander = null, string[]? people = null, string[]? accessParticipants = null,
        DateTimeOffset? opened = null, TimeSpan? acknowledgedAfter = null, TimeSpan? resolvedAfter = null, string title = "Checkout is down",
        UpdateRecord? internalUpdates = null)
    {
        var at = opened ?? Opened;
        var summary = new IncidentSummary(
            id, title, Severity.Critical, priority, status, stage, service, service == "checkout" ? "Checkout" : service, category, visibility, commander, false, "e2e", id,
            at, at + acknowledgedAfter, acknowledgedAfter is null ? null : "alice", at + resolvedAfter, resolvedAfter is null ? null : "alice");
        return new ListedIncident(summary, accessParticipants ?? [], [])
        {
            Response = new ListedResponse(people ?? [], internalUpdates ?? UpdateRecord.None, UpdateRecord.None),
        };
    }

    static IncidentListFilter Filter(params (string Name, string Value)[] query) =>
        IncidentListFilter.From(new QueryCollection(query.ToDictionary(q => q.Name, q => new StringValues(q.Value))));

    static PageRenderer Renderer() => new(new ServiceCollection().BuildServiceProvider(), NullLoggerFactory.Instance);

    [Fact]
    public void TheFiltersReadFromTheQueryAndAValueThatIsNoChoiceReadsAsAny()
    {
        var filter = Filter(("status", "resolved"), ("stage", "mitigated"), ("priority", "p2"), ("service", "checkout"), ("category", "outage"), ("mine", "true"));

        Assert.Equal(new IncidentListFilter(ListStatus.Resolved, Stage.Mitigated, Priority.P2, "checkout", "outage", true), filter);
        Assert.Equal(IncidentListFilter.Default, Filter(("status", "everything"), ("stage", "7"), ("priority", "P9"), ("mine", "no")));
        Assert.Equal("?status=resolved&stage=mitigated&priority=P2&service=checkout&category=outage&mine=true", filter.Query());
        Assert.Equal(string.Empty, IncidentListFilter.Default.Query());
    }

    [Fact]
    public void EachFilterKeepsOnlyTheIncidentsThatMatchIt()
    {
        var incidents = new[]
        {
            Listed("a", stage: Stage.Investigating, priority: Priority.P1, service: "checkout", category: "outage"),
            Listed("b", stage: Stage.Mitigated, priority: Priority.P2, service: "search", category: "security"),
        };

        string[] Shown(params (string, string)[] query) =>
            [.. IncidentListing.Of(Filter(query), Admin, incidents, [], false).Shown.Select(i => i.Id).Order()];

        Assert.Equal(["a", "b"], Shown());
        Assert.Equal(["b"], Shown(("stage", "mitigated")));
        Assert.Equal(["a"], Shown(("priority", "P1")));
        Assert.Equal(["b"], Shown(("service", "search")));
        Assert.Equal(["a"], Shown(("category", "outage")));
        Assert.Empty(Shown(("category", "outage"), ("service", "search")));
    }

    [Fact]
    public void MineIsWhatTheViewerCommandsHoldsARoleInOrTakesPartIn()
    {
        Assert.True(IncidentListFilter.IsMine(Listed("commands", commander: "dana"), Responder));
        Assert.True(IncidentListFilter.IsMine(Listed("holds a role or takes part", people: ["alice", "dana"]), Responder));
        Assert.False(IncidentListFilter.IsMine(Listed("someone else's", commander: "alice", people: ["alice", "bob"]), Responder));

        // Someone the policy does not know takes part under their key.
        var stranger = Responder with { PersonId = null, ObjectId = "0000-1" };
        Assert.True(IncidentListFilter.IsMine(Listed("a stranger's", people: ["oid:0000-1"]), stranger));
        Assert.False(IncidentListFilter.IsMine(Listed("commanded by dana", commander: "dana"), stranger));

        var listing = IncidentListing.Of(Filter(("mine", "true")), Responder, [Listed("mine", commander: "dana"), Listed("theirs", commander: "alice")], [], false);
        Assert.Equal(["mine"], listing.Shown.Select(i => i.Id));
    }

    [Fact]
    public void ARestrictedIncidentIsNeitherListedNorCountedForAViewerWhoMayNotSeeIt()
    {
        var incidents = new[]
        {
            Listed("standard", priority: Priority.P2),
            Listed("restricted", visibility: Visibility.Restricted, accessParticipants: ["alice"], priority: Priority.P1),
        };

        var outsider = IncidentListing.Of(IncidentListFilter.Default, Responder, incidents, [], false);
        var admin = IncidentListing.Of(IncidentListFilter.Default, Admin, incidents, [], false);

        Assert.Equal(["standard"], outsider.Shown.Select(i => i.Id));
        Assert.Equal(1, outsider.Count(IncidentStatus.Open));
        Assert.Equal([(Priority.P2, 1)], outsider.ByPriority);
        Assert.Equal(2, admin.Shown.Count);
        Assert.Equal([(Priority.P1, 1), (Priority.P2, 1)], admin.ByPriority);
    }

    [Fact]
    public void CountsAreOfEveryVisibleIncidentByStatusAndOfTheChosenStatusByPriority()
    {
        var incidents = new[]
        {
            Listed("o1", priority: Priority.P1), Listed("o2", priority: Priority.P1), Listed("o3", priority: null),
            Listed("a1", status: IncidentStatus.Acknowledged, priority: Priority.P3),
        };

        var acknowledged = IncidentListing.Of(Filter(("status", "acknowledged"), ("priority", "P1")), Admin, incidents, [], false);

        Assert.Equal(3, acknowledged.Count(IncidentStatus.Open));
        Assert.Equal(1, acknowledged.Count(IncidentStatus.Acknowledged));
        Assert.Equal([(Priority.P3, 1)], acknowledged.ByPriority);
        Assert.Empty(acknowledged.Shown);
        Assert.Equal([(Priority.P1, 2), (Priority.P3, 1), ((Priority?)null, 1)], IncidentListing.Of(IncidentListFilter.Default, Admin, incidents, [], false).ByPriority);
    }

    [Fact]
    public void TheVersionChangesWithWhatTheViewerMaySeeAndWithNothingElse()
    {
        var standard = Listed("standard");
        var restricted = Listed("restricted", visibility: Visibility.Restricted, accessParticipants: ["alice"]);
        string Version(Caller viewer, params ListedIncident[] incidents) => IncidentListing.Of(IncidentListFilter.Default, viewer, incidents, [], false).Version;

        var before = Version(Responder, standard, restricted);
        Assert.Equal(before, Version(Responder, standard, restricted));
        Assert.Equal(before, Version(Responder, standard, restricted with { Summary = restricted.Summary with { Stage = Stage.Mitigated } }));
        Assert.NotEqual(before, Version(Responder, standard with { Summary = standard.Summary with { Stage = Stage.Mitigated } }, restricted));
        Assert.NotEqual(before, Version(Responder, standard, restricted, Listed("new")));
        Assert.NotEqual(Version(Admin, standard, restricted), Version(Admin, standard, restricted with { Summary = restricted.Summary with { Commander = "bob" } }));
    }

    [Fact]
    public void APollTokenIsTheIndexRevisionAndTheVersionAndAnythingElseMatchesNeither()
    {
        var listing = IncidentListing.Of(IncidentListFilter.Default, Admin, [Listed("a")], [], false) with { Revision = IncidentListing.RevisionOf("W/\"etag\"") };

        Assert.Equal((listing.Revision, listing.Version), IncidentListing.ParseToken(listing.Token));
        Assert.Matches("^[0-9a-f]{16}\\.[0-9a-f]{16}$", listing.Token);
        Assert.Equal((string.Empty, string.Empty), IncidentListing.ParseToken(null));
        Assert.Equal((string.Empty, string.Empty), IncidentListing.ParseToken("a.b.c"));
        Assert.NotEqual(IncidentListing.RevisionOf(null), IncidentListing.RevisionOf(string.Empty));
    }

    [Fact]
    public void PercentilesInterpolateBetweenTheNearestRanks()
    {
        TimeSpan[] Minutes(params double[] values) => [.. values.Select(TimeSpan.FromMinutes)];

        Assert.Null(DashboardFigures.Percentile([], 50));
        Assert.Equal(TimeSpan.FromMinutes(7), DashboardFigures.Percentile(Minutes(7), 90));
        Assert.Equal(TimeSpan.FromMinutes(2.5), DashboardFigures.Percentile(Minutes(1, 2, 3, 4), 50));
        Assert.Equal(TimeSpan.FromMinutes(3), DashboardFigures.Percentile(Minutes(1, 2, 3, 4, 5), 50));
        Assert.Equal(TimeSpan.FromMinutes(9.1), DashboardFigures.Percentile(Minutes(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 90));
        Assert.Equal(TimeSpan.FromMinutes(10), DashboardFigures.Percentile(Minutes(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 100));
    }

    [Fact]
    public void WeeksStartOnMondayInUtcAndEveryWeekOfThePeriodIsThereEmptyOrNot()
    {
        // 2026-11-27 is a Friday; its week is the one of Monday 2026-11-23.
        Assert.Equal(new DateOnly(2026, 11, 23), DashboardFigures.WeekOf(Opened));
        Assert.Equal(new DateOnly(2026, 11, 23), DashboardFigures.WeekOf(new DateTimeOffset(2026, 11, 29, 23, 59, 0, TimeSpan.Zero)));
        Assert.Equal(new DateOnly(2026, 11, 23), DashboardFigures.WeekOf(new DateTimeOffset(2026, 11, 30, 0, 30, 0, TimeSpan.FromHours(2))));
        Assert.Equal(new DateOnly(2026, 11, 30), DashboardFigures.WeekOf(new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero)));

        var now = Opened.AddDays(14);
        var incidents = new[]
        {
            Listed("a", opened: Opened, acknowledgedAfter: TimeSpan.FromMinutes(2), resolvedAfter: TimeSpan.FromMinutes(60)).Summary,
            Listed("b", opened: Opened.AddHours(1), acknowledgedAfter: TimeSpan.FromMinutes(4), resolvedAfter: TimeSpan.FromMinutes(120)).Summary,
            Listed("c", opened: Opened.AddHours(2)).Summary,
            Listed("d", opened: now.AddHours(-1), acknowledgedAfter: TimeSpan.FromMinutes(10)).Summary,
        };

        var weeks = DashboardFigures.WeeksOf(incidents, Opened.AddDays(-1), now);

        Assert.Equal([new DateOnly(2026, 11, 23), new DateOnly(2026, 11, 30), new DateOnly(2026, 12, 7)], weeks.Select(w => w.WeekOf));
        Assert.Equal(new WeekFigures(new DateOnly(2026, 11, 23), 3, 2, TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(3.8), 2, TimeSpan.FromMinutes(90), TimeSpan.FromMinutes(114)), weeks[0]);
        Assert.Equal(new WeekFigures(new DateOnly(2026, 11, 30), 0, 0, null, null, 0, null, null), weeks[1]);
        Assert.Equal(1, weeks[2].Opened);
        Assert.Equal(TimeSpan.FromMinutes(10), weeks[2].AcknowledgeMedian);
    }

    [Fact]
    public void DeclinedAndMergedIncidentsAreLeftOutOfTheWeeksAndCountedAsLeftOut()
    {
        var history = new[]
        {
            Listed("counted", status: IncidentStatus.Resolved, stage: Stage.Resolved, acknowledgedAfter: TimeSpan.FromMinutes(5), resolvedAfter: TimeSpan.FromMinutes(30)),
            Listed("declined", status: IncidentStatus.Resolved, stage: Stage.Declined, acknowledgedAfter: TimeSpan.FromMinutes(50), resolvedAfter: TimeSpan.FromMinutes(500)),
            Listed("merged", status: IncidentStatus.Resolved, stage: Stage.Merged, acknowledgedAfter: TimeSpan.FromMinutes(50), resolvedAfter: TimeSpan.FromMinutes(500)),
        };

        var figures = DashboardFigures.Of(30, Opened.AddDays(1), Admin, [], history, Response);

        Assert.Equal(2, figures.LeftOut);
        Assert.Equal(1, figures.Weeks.Sum(w => w.Opened));
        var week = figures.Weeks.Single(w => w.Opened == 1);
        Assert.Equal(TimeSpan.FromMinutes(5), week.AcknowledgeP90);
        Assert.Equal(TimeSpan.FromMinutes(30), week.ResolveP90);
    }

    [Fact]
    public void AnOpenIncidentWhoseUpdateIsPastTheProtocolsIntervalHasBreachedItsCadence()
    {
        // P1: internal updates every 30 minutes, stakeholder updates every 60 (the policy's defaults).
        var now = Opened.AddMinutes(45);
        var active = new[]
        {
            Listed("silent", priority: Priority.P1),
            Listed("updated", priority: Priority.P1, internalUpdates: new UpdateRecord(Opened.AddMinutes(40), null)),
            Listed("in triage", priority: Priority.P1, stage: Stage.Triage),
            Listed("resolved", status: IncidentStatus.Resolved, stage: Stage.Resolved, priority: Priority.P1),
        };

        var figures = DashboardFigures.Of(30, now, Admin, active, [], Response);

        var breach = Assert.Single(figures.Breaches);
        Assert.Equal(("silent", UpdateAudience.Internal, Opened.AddMinutes(30)), (breach.Incident.Id, breach.Audience, breach.DueAt));
        Assert.Equal(3, figures.Open);
        Assert.Equal(2, DashboardFigures.Of(30, Opened.AddMinutes(61), Admin, active, [], Response).Breaches.Count(b => b.Incident.Id == "silent"));
    }

    [Fact]
    public async Task AHostileTitleIsInertTextInTheListRows()
    {
        var listing = IncidentListing.Of(IncidentListFilter.Default, Admin, [Listed("INC-1", title: Hostile, service: "<b>svc</b>")], [], false);

        var html = await Renderer().RenderAsync<IncidentList>(new Dictionary<string, object?> { [nameof(IncidentList.Listing)] = listing });

        AssertInert(html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains($"hx-get=\"/api/console/list?v={listing.Token}\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHostileTitleIsInertTextInTheDashboardsTablesAndChartData()
    {
        var active = new[] { Listed("INC-1", title: Hostile, service: Hostile) };
        var figures = DashboardFigures.Of(30, Opened.AddHours(2), Admin, active, active, Response);

        var page = await Renderer().PageAsync<DashboardPage>(200, new Dictionary<string, object?>
        {
            [nameof(DashboardPage.Viewer)] = Admin,
            [nameof(DashboardPage.Figures)] = figures,
        });

        AssertInert(page.Html);
        Assert.Contains("Incidents that breached their update cadence", page.Html, StringComparison.Ordinal);
        Assert.Equal(5, Regex.Matches(page.Html, "<figure class=\"chart\"").Count);
        Assert.Equal(4, Regex.Matches(page.Html, "<table").Count);
        Assert.DoesNotContain("<script>", page.Html.Replace("<script src=", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDeclareFormCallsTheApiAndFollowsTheNewIncident()
    {
        var html = await Renderer().RenderAsync<DeclarePage>(new Dictionary<string, object?>
        {
            [nameof(DeclarePage.Viewer)] = Responder,
            [nameof(DeclarePage.Services)] = new List<(string, string)> { ("checkout", Hostile) },
            [nameof(DeclarePage.Categories)] = new List<(string, string)> { ("outage", "Outage") },
            [nameof(DeclarePage.People)] = new List<Recipient> { new("alice", Hostile, "alice@example.com", "UTC") },
        });

        AssertInert(html);
        Assert.Contains("hx-post=\"/api/incidents\"", html, StringComparison.Ordinal);
        Assert.Contains("data-then=\"incident\" data-then-href=\"/api/console/incidents/{id}\"", html, StringComparison.Ordinal);
        Assert.Contains("<option value=\"alice\">", html, StringComparison.Ordinal);
    }

    /// <summary>No element or attribute came from the hostile text: every one of its characters that matters is encoded.</summary>
    static void AssertInert(string html)
    {
        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>svc", html, StringComparison.Ordinal);
    }
}
