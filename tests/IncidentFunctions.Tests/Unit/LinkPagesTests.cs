using System.Text.RegularExpressions;
using IncidentFunctions.Incidents;
using IncidentFunctions.Lifecycle;
using IncidentFunctions.Links;
using IncidentFunctions.Model;
using static IncidentFunctions.Tests.Unit.LinkTestKit;

namespace IncidentFunctions.Tests.Unit;

public sealed partial class LinkPagesTests
{
    static readonly DateTimeOffset AckedAt = new(2026, 11, 26, 3, 20, 0, TimeSpan.Zero);
    static readonly DateTimeOffset ResolvedAt = new(2026, 11, 26, 4, 5, 0, TimeSpan.Zero);

    const string ResolveElsewhere = "To resolve it, use the Resolve link in the email.";

    readonly ManualClock clock = new(Start);

    static IncidentEntity Incident(IncidentStatus status = IncidentStatus.Open, string title = "Checkout p99 latency above 2s")
    {
        var incident = new IncidentEntity
        {
            PartitionKey = IncidentId,
            Title = title,
            Severity = "Critical",
            Status = status.ToString(),
            Priority = "P1",
            ServiceName = "Checkout",
            AlertCount = 7,
        };
        if (status != IncidentStatus.Open)
        {
            (incident.AcknowledgedBy, incident.AcknowledgedVia, incident.AcknowledgedAt) = ("bob", Channels.Api, AckedAt);
        }

        if (status == IncidentStatus.Resolved)
        {
            (incident.ResolvedBy, incident.ResolvedVia, incident.ResolvedAt) = ("carol", Channels.Source, ResolvedAt);
        }

        return incident;
    }

    LinkGrant Grant(LinkAction action, string recipient = "alice")
    {
        var signer = Signer(clock);
        var (incidentId, route, token) = Parse(signer.CreateUrl(IncidentId, recipient, action));
        return signer.Verify(incidentId, route, token).Grant!;
    }

    [Fact]
    public async Task TheConfirmationPageShowsWhatWhoAndUntilWhen()
    {
        var page = await Execute(LinkPageRenderer.ConfirmAsync(Grant(LinkAction.Acknowledge), Incident()));

        Assert.Equal(200, page.StatusCode);
        Assert.Contains("<h1>Acknowledge INC-20261126-7K3QX9MD?</h1>", page.Body, StringComparison.Ordinal);
        foreach (var fact in new[] { IncidentId, "Checkout p99 latency above 2s", "P1", "Open", "Checkout", "<dd>7</dd>" })
        {
            Assert.Contains(fact, page.Body, StringComparison.Ordinal);
        }

        Assert.Contains("You are acting as alice. This link works until 2026-11-27 03:14 UTC.", page.Body, StringComparison.Ordinal);
        Assert.Contains("Nothing has changed yet", page.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheConfirmationPageHasOneFormThatPostsToTheLinkItself()
    {
        var grant = Grant(LinkAction.Acknowledge);

        var page = await Execute(LinkPageRenderer.ConfirmAsync(grant, Incident()));

        Assert.Equal([grant.Url.AbsoluteUri], page.PostForms);
        Assert.Contains($"<button type=\"submit\">Acknowledge {IncidentId}</button>", page.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", page.Body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task RenderingAConfirmationLeavesTheIncidentAsItWas()
    {
        var incident = Incident();
        var before = incident.Copy();

        await LinkPageRenderer.ConfirmAsync(Grant(LinkAction.Acknowledge), incident);

        Assert.Equivalent(before, incident, strict: true);
    }

    [Fact]
    public async Task ATitleWithMarkupIsShownAsText()
    {
        var page = await Execute(LinkPageRenderer.ConfirmAsync(Grant(LinkAction.Acknowledge), Incident(title: "<script>alert('x')</script> & \"more\"")));

        Assert.DoesNotContain("<script", page.Body, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;", page.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("\"more\"", page.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAcknowledgeLinkForAnAcknowledgedIncidentSaysWhoAndPointsAtTheEmailsResolveLink()
    {
        var page = await Execute(LinkPageRenderer.ConfirmAsync(Grant(LinkAction.Acknowledge), Incident(IncidentStatus.Acknowledged)));

        Assert.Equal(200, page.StatusCode);
        Assert.Contains("Already acknowledged by bob at 2026-11-26 03:20 UTC (via api).", page.Body, StringComparison.Ordinal);
        Assert.Contains(ResolveElsewhere, page.Body, StringComparison.Ordinal);
        Assert.Empty(page.PostForms);
        Assert.DoesNotContain("<button", page.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AResolveLinkForAnAcknowledgedIncidentMentionsTheAcknowledgementAndOffersToResolve()
    {
        var grant = Grant(LinkAction.Resolve);

        var page = await Execute(LinkPageRenderer.ConfirmAsync(grant, Incident(IncidentStatus.Acknowledged)));

        Assert.Contains("It was acknowledged by bob at 2026-11-26 03:20 UTC (via api).", page.Body, StringComparison.Ordinal);
        Assert.Equal([grant.Url.AbsoluteUri], page.PostForms);
    }

    [Theory]
    [InlineData(LinkAction.Acknowledge)]
    [InlineData(LinkAction.Resolve)]
    public async Task AnyLinkForAResolvedIncidentSaysWhoResolvedItAndOffersNothing(LinkAction action)
    {
        var page = await Execute(LinkPageRenderer.ConfirmAsync(Grant(action), Incident(IncidentStatus.Resolved)));

        Assert.Equal(200, page.StatusCode);
        Assert.Contains("Already resolved by carol at 2026-11-26 04:05 UTC (via source).", page.Body, StringComparison.Ordinal);
        Assert.Empty(page.PostForms);
    }

    /// <summary>Every confirmation (GET) and outcome (POST) page a valid link can produce, with its grant.</summary>
    public static TheoryData<string, LinkAction, IncidentStatus, TransitionOutcome?> EveryGrantedPage()
    {
        var pages = new TheoryData<string, LinkAction, IncidentStatus, TransitionOutcome?>();
        foreach (var action in Enum.GetValues<LinkAction>())
        {
            foreach (var status in Enum.GetValues<IncidentStatus>())
            {
                pages.Add($"confirm {action} on {status}", action, status, null);
            }

            foreach (var outcome in Enum.GetValues<TransitionOutcome>())
            {
                var status = outcome == TransitionOutcome.Superseded || action == LinkAction.Resolve ? IncidentStatus.Resolved : IncidentStatus.Acknowledged;
                pages.Add($"{outcome} {action}", action, status, outcome);
            }
        }

        return pages;
    }

    /// <summary>
    /// A link does what it says and nothing more: no page it opens carries a form or a token for another action (an
    /// acknowledge page that offered a resolve button would let one emailed link do both).
    /// </summary>
    [Theory]
    [MemberData(nameof(EveryGrantedPage))]
    public async Task APageCarriesNoFormOrTokenForAnyActionButItsLinksOwn(string page, LinkAction action, IncidentStatus status, TransitionOutcome? outcome)
    {
        var signer = Signer(clock);
        var grant = Grant(action);
        var others = Enum.GetValues<LinkAction>().Where(a => a != action)
            .Select(a => Parse(signer.CreateUrl(IncidentId, grant.RecipientId, a, grant.ExpiresAt)).Token)
            .ToList();
        var ownToken = Parse(grant.Url).Token;
        var result = outcome is { } o
            ? LinkPageRenderer.OutcomeAsync(grant, new TransitionResult(o, o == TransitionOutcome.NotFound ? null : Incident(status), "bob", Channels.Api, AckedAt))
            : LinkPageRenderer.ConfirmAsync(grant, Incident(status));

        var rendered = await Execute(result);

        Assert.All(rendered.PostForms, form => Assert.Equal(grant.Url.AbsoluteUri, form));
        Assert.All(others, token => Assert.DoesNotContain(token, rendered.Body, StringComparison.Ordinal));
        Assert.All(TokenParameter().Matches(rendered.Body), m => Assert.Equal(ownToken, m.Groups[1].Value));
        Assert.True(outcome is null || rendered.PostForms.Count == 0, $"{page}: the outcome of a POST offers no further action");
    }

    [Fact]
    public async Task HeadGetsTheHeadersOfGetWithoutABody()
    {
        var result = await LinkPageRenderer.ConfirmAsync(Grant(LinkAction.Acknowledge), Incident());
        var get = await Execute(result);

        var head = await Execute(result, "HEAD");

        Assert.Equal(200, head.StatusCode);
        Assert.Empty(head.Body);
        Assert.Equal(get.Headers.ContentLength, head.Headers.ContentLength);
        Assert.Equal(get.Headers.ContentSecurityPolicy.ToString(), head.Headers.ContentSecurityPolicy.ToString());
    }

    [Theory]
    [InlineData(LinkStatus.Malformed, 400, "This link is incomplete")]
    [InlineData(LinkStatus.BadSignature, 400, "This link is not valid")]
    [InlineData(LinkStatus.UnknownAction, 400, "Unknown action")]
    [InlineData(LinkStatus.Expired, 410, "This link has expired")]
    public async Task EachRefusalHasItsStatusAndSaysWhatIsWrongAndThatNothingChanged(LinkStatus status, int code, string heading)
    {
        var link = new LinkVerification(status, IncidentId, "acknowledge", Signer(clock).IncidentUrl(IncidentId), "alice", Start.AddHours(24));

        var page = await Execute(LinkPageRenderer.RefusedAsync(link));

        Assert.Equal(code, page.StatusCode);
        Assert.Contains($"<h1>{heading}</h1>", page.Body, StringComparison.Ordinal);
        Assert.Contains("Nothing was changed.", page.Body, StringComparison.Ordinal);
        Assert.Contains($"href=\"{BaseUrl}/api/incidents/{IncidentId}\"", page.Body, StringComparison.Ordinal);
        Assert.Empty(page.PostForms);
        Assert.Equal("no-store", page.Headers.CacheControl.ToString());
    }

    [Fact]
    public async Task AnExpiredLinkSaysWhenItExpired()
    {
        var link = new LinkVerification(LinkStatus.Expired, IncidentId, "resolve", Signer(clock).IncidentUrl(IncidentId), "alice", Start.AddHours(24));

        var page = await Execute(LinkPageRenderer.RefusedAsync(link));

        Assert.Contains("This resolve link for alice expired at 2026-11-27 03:14 UTC.", page.Body, StringComparison.Ordinal);
        Assert.Contains("Open the incident instead.", page.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARefusalEchoesTheRouteAsTextAndLinksNoIncidentForAMalformedId()
    {
        var link = new LinkVerification(LinkStatus.UnknownAction, "<img src=x>", "<b>delete</b>");

        var page = await Execute(LinkPageRenderer.RefusedAsync(link));

        Assert.Equal(400, page.StatusCode);
        Assert.DoesNotContain("<b>", page.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", page.Body, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;delete&lt;/b&gt;", page.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("<a ", page.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnIncidentThatDoesNotExistIs404()
    {
        var page = await Execute(LinkPageRenderer.NotFoundAsync(IncidentId));

        Assert.Equal(404, page.StatusCode);
        Assert.Contains($"There is no incident {IncidentId}.", page.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAppliedAcknowledgementSaysWhoAndWhenAndPointsAtTheEmailsResolveLink()
    {
        var result = new TransitionResult(TransitionOutcome.Applied, Incident(IncidentStatus.Acknowledged), "alice", Channels.EmailLink, AckedAt);

        var page = await Execute(LinkPageRenderer.OutcomeAsync(Grant(LinkAction.Acknowledge), result));

        Assert.Equal(200, page.StatusCode);
        Assert.Contains("<h1>Acknowledged</h1>", page.Body, StringComparison.Ordinal);
        Assert.Contains("Acknowledged by alice at 2026-11-26 03:20 UTC.", page.Body, StringComparison.Ordinal);
        Assert.Contains(ResolveElsewhere, page.Body, StringComparison.Ordinal);
        Assert.Empty(page.PostForms);
    }

    [Fact]
    public async Task ASecondAcknowledgementSaysWhoWasFirst()
    {
        var result = new TransitionResult(TransitionOutcome.AlreadyDone, Incident(IncidentStatus.Acknowledged), "bob", Channels.Api, AckedAt);

        var page = await Execute(LinkPageRenderer.OutcomeAsync(Grant(LinkAction.Acknowledge), result));

        Assert.Equal(200, page.StatusCode);
        Assert.Contains("Already acknowledged by bob at 2026-11-26 03:20 UTC (via api).", page.Body, StringComparison.Ordinal);
        Assert.Contains(ResolveElsewhere, page.Body, StringComparison.Ordinal);
        Assert.Empty(page.PostForms);
    }

    [Fact]
    public async Task AcknowledgingAResolvedIncidentSaysWhoResolvedIt()
    {
        var result = new TransitionResult(TransitionOutcome.Superseded, Incident(IncidentStatus.Resolved), "carol", Channels.Source, ResolvedAt);

        var page = await Execute(LinkPageRenderer.OutcomeAsync(Grant(LinkAction.Acknowledge), result));

        Assert.Contains("Already resolved by carol at 2026-11-26 04:05 UTC (via source).", page.Body, StringComparison.Ordinal);
        Assert.Empty(page.PostForms);
    }

    [Fact]
    public async Task AnAppliedResolutionSaysWhoAndWhenAndOffersNothingMore()
    {
        var result = new TransitionResult(TransitionOutcome.Applied, Incident(IncidentStatus.Resolved), "alice", Channels.EmailLink, ResolvedAt);

        var page = await Execute(LinkPageRenderer.OutcomeAsync(Grant(LinkAction.Resolve), result));

        Assert.Contains("Resolved by alice at 2026-11-26 04:05 UTC.", page.Body, StringComparison.Ordinal);
        Assert.Empty(page.PostForms);
    }

    [Fact]
    public async Task ActingOnAnIncidentThatDoesNotExistIs404()
    {
        var page = await Execute(LinkPageRenderer.OutcomeAsync(Grant(LinkAction.Resolve), new TransitionResult(TransitionOutcome.NotFound, null)));

        Assert.Equal(404, page.StatusCode);
    }

    [GeneratedRegex("token=([A-Za-z0-9_-]*)")]
    private static partial Regex TokenParameter();
}
