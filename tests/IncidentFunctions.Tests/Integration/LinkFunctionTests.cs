using System.Collections.Concurrent;
using IncidentFunctions.Functions;
using IncidentFunctions.Incidents;
using IncidentFunctions.Links;
using IncidentFunctions.Model;
using IncidentFunctions.Tests.Infrastructure;
using IncidentFunctions.Tests.Unit;
using IncidentFunctions.Timeline;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using static IncidentFunctions.Tests.Unit.LinkTestKit;

namespace IncidentFunctions.Tests.Integration;

/// <summary>
/// The link functions as the hosts call them, with the real signer, store and responder on Azurite. Only the Durable
/// boundary is swapped: a lifecycle that records the signals it would raise.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class LinkFunctionTests(AzuriteFixture azurite) : IAsyncLifetime
{
    readonly ManualClock clock = new(new DateTimeOffset(DateTimeOffset.UtcNow.UtcTicks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero));
    readonly RecordingLifecycle lifecycle = new();
    ServiceProvider services = null!;

    sealed class RecordingLifecycle : IIncidentLifecycle
    {
        public ConcurrentQueue<(string IncidentId, LifecycleSignal Signal)> Signals { get; } = new();

        public Task<bool> EnsureStartedAsync(string incidentId, OpeningDone? opening, CancellationToken ct) => Task.FromResult(false);

        public Task SignalAsync(string incidentId, LifecycleSignal signal, CancellationToken ct)
        {
            Signals.Enqueue((incidentId, signal));
            return Task.CompletedTask;
        }
    }

    IncidentStore Incidents => services.GetRequiredService<IncidentStore>();

    LinkSigner Signer => services.GetRequiredService<LinkSigner>();

    ResponderLinkFunctions Functions => ActivatorUtilities.CreateInstance<ResponderLinkFunctions>(services);

    public Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                [ConnectionNames.Storage] = azurite.ConnectionString,
                ["Links:BaseUrl"] = BaseUrl,
                ["Links:SigningKey"] = KeyA,
            })
            .Build();
        services = new ServiceCollection()
            .AddLogging()
            .AddIncidentServices(configuration)
            .AddSingleton<TimeProvider>(clock)
            .BuildServiceProvider();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await services.DisposeAsync();

    async Task<string> OpenIncident()
    {
        var alert = TestAlerts.Firing("links", TestAlerts.NewKey("link"), receivedAt: clock.Now);
        var id = IncidentIds.New(clock.Now);
        Assert.True(await Incidents.TryCreateAsync(IncidentEntity.Open(id, alert, clock.Now), AlertEntity.From(id, alert), firstPage: null, CancellationToken.None));
        return id;
    }

    static HttpRequest Request(string method, Uri url)
    {
        var request = new DefaultHttpContext().Request;
        request.Method = method;
        request.QueryString = new QueryString(url.Query);
        return request;
    }

    async Task<RenderedPage> Show(Uri url, string method = "GET")
    {
        var (id, action, _) = Parse(url);
        return await Execute(await Functions.ShowResponderLink(Request(method, url), id, action, CancellationToken.None), method);
    }

    async Task<RenderedPage> Submit(Uri url)
    {
        var (id, action, _) = Parse(url);
        return await Execute(await Functions.SubmitAsync(Request("POST", url), id, action, lifecycle, CancellationToken.None), "POST");
    }

    async Task<IncidentEntity> Reload(string id) => (await Incidents.FindAsync(id, CancellationToken.None))!;

    async Task<IReadOnlyList<TimelineEvent>> Timeline(string id) =>
        (await services.GetRequiredService<TimelineStore>().ReadAsync(id, 100, null, CancellationToken.None)).Items;

    [Fact]
    public async Task GetAndHeadOfAnAcknowledgeLinkLeaveTheIncidentOpen()
    {
        var id = await OpenIncident();
        var url = Signer.CreateUrl(id, "alice", LinkAction.Acknowledge);

        var get = await Show(url);
        var head = await Show(url, "HEAD");

        Assert.Equal(200, get.StatusCode);
        Assert.Equal([url.AbsoluteUri], get.PostForms);
        Assert.Equal(200, head.StatusCode);
        Assert.Empty(head.Body);
        var incident = await Reload(id);
        Assert.Equal(IncidentStatus.Open, incident.StatusValue);
        Assert.Null(incident.AcknowledgedBy);
        Assert.DoesNotContain(await Timeline(id), e => e.Type == TimelineEventTypes.IncidentAcknowledged);
        Assert.Empty(lifecycle.Signals);
    }

    [Fact]
    public async Task PostingAnAcknowledgeLinkAcknowledgesAsItsRecipientViaEmailLink()
    {
        var id = await OpenIncident();

        var page = await Submit(Signer.CreateUrl(id, "alice", LinkAction.Acknowledge));

        Assert.Equal(200, page.StatusCode);
        Assert.Contains($"Acknowledged by alice at {clock.Now.UtcDateTime:yyyy-MM-dd HH:mm} UTC.", page.Body, StringComparison.Ordinal);
        var incident = await Reload(id);
        Assert.Equal(IncidentStatus.Acknowledged, incident.StatusValue);
        Assert.Equal(("alice", Channels.EmailLink, clock.Now), (incident.AcknowledgedBy, incident.AcknowledgedVia, incident.AcknowledgedAt));
        Assert.Contains(await Timeline(id), e => e.Type == TimelineEventTypes.IncidentAcknowledged && e.Actor == "alice");
        var (signalled, signal) = Assert.Single(lifecycle.Signals);
        Assert.Equal((id, SignalKind.Acknowledge, "alice", Channels.EmailLink), (signalled, signal.Kind, signal.Actor, signal.Channel));
    }

    [Fact]
    public async Task ASecondAcknowledgementSaysWhoWasFirstAndChangesNothing()
    {
        var id = await OpenIncident();
        await Submit(Signer.CreateUrl(id, "alice", LinkAction.Acknowledge));
        var first = await Reload(id);
        clock.Now = clock.Now.AddMinutes(2);

        var bob = await Submit(Signer.CreateUrl(id, "bob", LinkAction.Acknowledge));
        var aliceAgain = await Submit(Signer.CreateUrl(id, "alice", LinkAction.Acknowledge));

        var said = $"Already acknowledged by alice at {first.AcknowledgedAt!.Value.UtcDateTime:yyyy-MM-dd HH:mm} UTC (via {Channels.EmailLink}).";
        Assert.Equal(200, bob.StatusCode);
        Assert.Contains(said, bob.Body, StringComparison.Ordinal);
        Assert.Contains(said, aliceAgain.Body, StringComparison.Ordinal);
        var incident = await Reload(id);
        Assert.Equal(("alice", first.AcknowledgedAt), (incident.AcknowledgedBy, incident.AcknowledgedAt));
        Assert.Single(await Timeline(id), e => e.Type == TimelineEventTypes.IncidentAcknowledged);
        Assert.All(lifecycle.Signals, s => Assert.Equal("alice", s.Signal.Actor));
    }

    [Fact]
    public async Task AnAcknowledgeLinkNeverHandsOutAResolveAndTheEmailsResolveLinkStillResolves()
    {
        var id = await OpenIncident();
        var acknowledge = Signer.CreateUrl(id, "alice", LinkAction.Acknowledge);
        var resolve = Signer.CreateUrl(id, "alice", LinkAction.Resolve);
        var (_, _, resolveToken) = Parse(resolve);

        var acknowledged = await Submit(acknowledge);
        var acknowledgeAgain = await Show(acknowledge);
        var confirmResolve = await Show(resolve);

        Assert.Contains("Acknowledged by alice", acknowledged.Body, StringComparison.Ordinal);
        Assert.Empty(acknowledged.PostForms);
        Assert.Empty(acknowledgeAgain.PostForms);
        Assert.All(new[] { acknowledged, acknowledgeAgain }, page =>
        {
            Assert.DoesNotContain(resolveToken, page.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("/resolve", page.Body, StringComparison.Ordinal);
        });
        Assert.Equal([resolve.AbsoluteUri], confirmResolve.PostForms);
        Assert.Equal(IncidentStatus.Acknowledged, (await Reload(id)).StatusValue);

        var resolved = await Submit(resolve);

        Assert.Contains("Resolved by alice", resolved.Body, StringComparison.Ordinal);
        Assert.Equal(("alice", Channels.EmailLink), ((await Reload(id)).ResolvedBy, (await Reload(id)).ResolvedVia));
    }

    [Fact]
    public async Task AcknowledgingAResolvedIncidentSaysWhoResolvedIt()
    {
        var id = await OpenIncident();
        await Submit(Signer.CreateUrl(id, "bob", LinkAction.Resolve));

        var page = await Submit(Signer.CreateUrl(id, "alice", LinkAction.Acknowledge));

        Assert.Equal(200, page.StatusCode);
        Assert.Contains("Already resolved by bob at", page.Body, StringComparison.Ordinal);
        var incident = await Reload(id);
        Assert.Equal(IncidentStatus.Resolved, incident.StatusValue);
        Assert.Null(incident.AcknowledgedBy);
    }

    [Fact]
    public async Task AnExpiredLinkIsGoneAndPostingItChangesNothing()
    {
        var id = await OpenIncident();
        var url = Signer.CreateUrl(id, "alice", LinkAction.Acknowledge);
        clock.Now = clock.Now.AddHours(25);

        var get = await Show(url);
        var post = await Submit(url);

        Assert.Equal(410, get.StatusCode);
        Assert.Equal(410, post.StatusCode);
        Assert.Contains("This acknowledge link for alice expired at", post.Body, StringComparison.Ordinal);
        Assert.Equal(IncidentStatus.Open, (await Reload(id)).StatusValue);
        Assert.Empty(lifecycle.Signals);
    }

    [Fact]
    public async Task ALinkMovedToAnotherIncidentOrActionIsRefusedAndChangesNothing()
    {
        var id = await OpenIncident();
        var other = await OpenIncident();
        var (_, _, token) = Parse(Signer.CreateUrl(other, "alice", LinkAction.Acknowledge));
        var (_, _, ackToken) = Parse(Signer.CreateUrl(id, "alice", LinkAction.Acknowledge));
        var movedIncident = new Uri($"{BaseUrl}/api/respond/{id}/acknowledge?token={token}");
        var movedAction = new Uri($"{BaseUrl}/api/respond/{id}/resolve?token={ackToken}");

        Assert.Equal(400, (await Show(movedIncident)).StatusCode);
        Assert.Equal(400, (await Submit(movedIncident)).StatusCode);
        Assert.Equal(400, (await Submit(movedAction)).StatusCode);
        Assert.Equal(400, (await Submit(new Uri($"{BaseUrl}/api/respond/{id}/acknowledge"))).StatusCode);
        Assert.Equal(IncidentStatus.Open, (await Reload(id)).StatusValue);
        Assert.Equal(IncidentStatus.Open, (await Reload(other)).StatusValue);
        Assert.Empty(lifecycle.Signals);
    }

    /// <summary>Every answer the link functions give, as the hosts run them, is a page no other site may frame.</summary>
    [Fact]
    public async Task EveryPageTheLinkFunctionsServeRefusesToBeFramed()
    {
        var id = await OpenIncident();
        var valid = Signer.CreateUrl(id, "alice", LinkAction.Acknowledge);
        var (_, _, token) = Parse(valid);
        var urls = new[]
        {
            valid,
            Signer.CreateUrl(IncidentIds.New(clock.Now), "alice", LinkAction.Resolve),
            new Uri($"{BaseUrl}/api/respond/{id}/resolve?token={token}"),
            new Uri($"{BaseUrl}/api/respond/{id}/delete?token={token}"),
            new Uri($"{BaseUrl}/api/respond/{id}/acknowledge"),
        };

        var pages = new List<RenderedPage>();
        foreach (var url in urls)
        {
            pages.Add(await Show(url));
            pages.Add(await Show(url, "HEAD"));
            pages.Add(await Submit(url));
        }

        clock.Now = clock.Now.AddHours(25);
        pages.Add(await Show(valid));
        pages.Add(await Submit(valid));

        Assert.Equal([200, 404, 400, 410], pages.Select(p => p.StatusCode).Distinct());
        Assert.All(pages, page =>
        {
            Assert.Equal("DENY", page.Headers.XFrameOptions.ToString());
            Assert.Contains("frame-ancestors 'none'", page.Headers.ContentSecurityPolicy.ToString(), StringComparison.Ordinal);
            Assert.Equal("nosniff", page.Headers.XContentTypeOptions.ToString());
            Assert.Equal("no-referrer", page.Headers["Referrer-Policy"].ToString());
        });
    }

    [Fact]
    public async Task AValidLinkToAnIncidentThatDoesNotExistIs404()
    {
        var url = Signer.CreateUrl(IncidentIds.New(clock.Now), "alice", LinkAction.Acknowledge);

        Assert.Equal(404, (await Show(url)).StatusCode);
        Assert.Equal(404, (await Submit(url)).StatusCode);
        Assert.Empty(lifecycle.Signals);
    }
}
