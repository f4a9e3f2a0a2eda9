using System.Text;
using System.Text.Json;
using IncidentFunctions.Incidents;
using IncidentFunctions.LifecycleEvents;
using IncidentFunctions.Model;
using IncidentFunctions.Tests.Infrastructure;

namespace IncidentFunctions.Tests.Unit;

/// <summary>How a recorded transition becomes a CloudEvents 1.0 lifecycle event.</summary>
public sealed class LifecycleEventTests
{
    static readonly DateTimeOffset OpenedAt = new(2026, 11, 26, 3, 14, 15, TimeSpan.Zero);
    static readonly DateTimeOffset AcknowledgedAt = OpenedAt.AddMinutes(3);

    static readonly LifecycleEventBuilder Events = new(LinkTestKit.Signer(new ManualClock(OpenedAt)));

    internal static IncidentEntity Incident(string? title = null)
    {
        var incident = IncidentEntity.Open(LinkTestKit.IncidentId, TestAlerts.Firing("demo", "checkout-latency", receivedAt: OpenedAt), OpenedAt);
        incident.Title = title ?? incident.Title;
        incident.Priority = "P1";
        incident.ServiceId = "checkout";
        incident.ServiceName = "Checkout";
        return incident;
    }

    internal static IncidentTransition Acknowledged(string actor = "alice@example.com") => new(
        LinkTestKit.IncidentId, $"{TimelineEventTypes.IncidentAcknowledged}-{AcknowledgedAt.UtcTicks}", LifecycleEventKind.Acknowledged,
        AcknowledgedAt, actor, Channels.EmailLink);

    [Theory]
    [InlineData(LifecycleEventKind.Opened, "io.incidentfunctions.incident.opened")]
    [InlineData(LifecycleEventKind.Acknowledged, "io.incidentfunctions.incident.acknowledged")]
    [InlineData(LifecycleEventKind.Escalated, "io.incidentfunctions.incident.escalated")]
    [InlineData(LifecycleEventKind.Retriggered, "io.incidentfunctions.incident.retriggered")]
    [InlineData(LifecycleEventKind.Resolved, "io.incidentfunctions.incident.resolved")]
    [InlineData(LifecycleEventKind.Closed, "io.incidentfunctions.incident.closed")]
    public void EachTransitionHasItsOwnStableEventType(LifecycleEventKind kind, string type) =>
        Assert.Equal(type, LifecycleEventBuilder.TypeOf(kind));

    [Fact]
    public void TheEnvelopeNamesTheTimelineEventTheIncidentAndTheTimeOfTheTransition()
    {
        var transition = Acknowledged();

        var cloudEvent = Events.Create(transition, Incident()).ToCloudEvent();

        Assert.Equal(transition.EventId, cloudEvent.Id);
        Assert.Equal($"{LinkTestKit.BaseUrl}/api/incidents", cloudEvent.Source);
        Assert.Equal("io.incidentfunctions.incident.acknowledged", cloudEvent.Type);
        Assert.Equal(LinkTestKit.IncidentId, cloudEvent.Subject);
        Assert.Equal(AcknowledgedAt, cloudEvent.Time);
        Assert.Equal("application/json", cloudEvent.DataContentType);
    }

    [Fact]
    public void TheDataIsASnapshotOfTheIncidentJustAfterTheTransition()
    {
        var data = DataOf(Events.Create(Acknowledged(), Incident()));

        Assert.Equal(LinkTestKit.IncidentId, data.GetProperty("incidentId").GetString());
        Assert.Equal("Checkout p99 latency above 2s", data.GetProperty("title").GetString());
        Assert.Equal("acknowledged", data.GetProperty("status").GetString());
        Assert.Equal("critical", data.GetProperty("severity").GetString());
        Assert.Equal("P1", data.GetProperty("priority").GetString());
        Assert.Equal("checkout", data.GetProperty("serviceId").GetString());
        Assert.Equal("Checkout", data.GetProperty("service").GetString());
        Assert.Equal("demo", data.GetProperty("integration").GetString());
        Assert.Equal("checkout-latency", data.GetProperty("dedupKey").GetString());
        Assert.Equal("alice@example.com", data.GetProperty("actor").GetString());
        Assert.Equal(Channels.EmailLink, data.GetProperty("channel").GetString());
        Assert.Equal(OpenedAt, data.GetProperty("openedAt").GetDateTimeOffset());
        Assert.Equal(AcknowledgedAt, data.GetProperty("acknowledgedAt").GetDateTimeOffset());
        Assert.False(data.TryGetProperty("resolvedAt", out _));
        Assert.False(data.TryGetProperty("level", out _));
        Assert.Equal($"{LinkTestKit.BaseUrl}/api/incidents/{LinkTestKit.IncidentId}", data.GetProperty("url").GetString());
    }

    [Theory]
    [InlineData(LifecycleEventKind.StageChanged, "identified")]
    [InlineData(LifecycleEventKind.SeverityChanged, "investigating")]
    [InlineData(LifecycleEventKind.RoleAssigned, "investigating")]
    public void APersonsChangeSaysTheStageItLeavesAndItsDetailsAndKeepsThePagingStatus(LifecycleEventKind kind, string stage)
    {
        var incident = Incident();
        incident.Status = nameof(IncidentStatus.Acknowledged);
        incident.SetResponse(IncidentResponse.ForAlert(OpenedAt) with { Stage = Stage.Investigating });
        var details = new Dictionary<string, string> { ["role"] = "commander", ["to"] = "bob", ["long"] = new string('x', 5_000) };
        var transition = new IncidentTransition(
            LinkTestKit.IncidentId, "r3-1", kind, AcknowledgedAt, "alice", Channels.Api,
            Stage: kind == LifecycleEventKind.StageChanged ? Stage.Identified : null, Details: details);

        var data = DataOf(Events.Create(transition, incident));

        Assert.Equal(stage, data.GetProperty("stage").GetString());
        Assert.Equal("acknowledged", data.GetProperty("status").GetString());
        Assert.Equal("bob", data.GetProperty("details").GetProperty("to").GetString());
        Assert.True(data.GetProperty("details").GetProperty("long").GetString()!.Length <= LifecycleEventBuilder.MaxDetail);
    }

    [Fact]
    public void AnAlertsTransitionCarriesTheRowsStageAndNoDetails()
    {
        var data = DataOf(Events.Create(Acknowledged(), Incident()));

        Assert.Equal("triage", data.GetProperty("stage").GetString());
        Assert.False(data.TryGetProperty("details", out _));
    }

    /// <summary>A retry can run after the incident moved on; the event still describes its own transition.</summary>
    [Fact]
    public void StatusAndTimesComeFromTheTransitionNotFromTheRowAsItIsNow()
    {
        var resolvedAt = AcknowledgedAt.AddMinutes(10);
        var incident = Incident();
        incident.Status = nameof(IncidentStatus.Resolved);
        incident.AcknowledgedAt = AcknowledgedAt;
        incident.ResolvedAt = resolvedAt;

        var acknowledged = DataOf(Events.Create(Acknowledged(), incident));
        var escalated = DataOf(Events.Create(
            new IncidentTransition(incident.Id, "e1", LifecycleEventKind.Escalated, OpenedAt.AddMinutes(1), "system", Channels.System, Level: 2), incident));
        var resolved = DataOf(Events.Create(
            new IncidentTransition(incident.Id, "r1", LifecycleEventKind.Resolved, resolvedAt, "bob", Channels.Api), incident));

        Assert.Equal("acknowledged", acknowledged.GetProperty("status").GetString());
        Assert.False(acknowledged.TryGetProperty("resolvedAt", out _));
        Assert.Equal("open", escalated.GetProperty("status").GetString());
        Assert.Equal(2, escalated.GetProperty("level").GetInt32());
        Assert.False(escalated.TryGetProperty("acknowledgedAt", out _));
        Assert.Equal("resolved", resolved.GetProperty("status").GetString());
        Assert.Equal(resolvedAt, resolved.GetProperty("resolvedAt").GetDateTimeOffset());
        Assert.Equal(AcknowledgedAt, resolved.GetProperty("acknowledgedAt").GetDateTimeOffset());
    }

    [Fact]
    public void LongTextIsCutSoTheMessageStaysFarBelowTheServiceBusLimit()
    {
        // An emoji straddles the cut: half a surrogate pair would be invalid UTF-16 in the JSON.
        var title = new string('t', LifecycleEventBuilder.MaxTitle - 2) + "🔥" + new string('x', 200_000);
        var incidentEvent = Events.Create(Acknowledged(actor: new string('a', 50_000)), Incident(title));

        var body = ServiceBusLifecycleEventPublisher.ToMessage(incidentEvent).Body;

        var data = DataOf(incidentEvent);
        var cutTitle = data.GetProperty("title").GetString()!;
        Assert.True(cutTitle.Length <= LifecycleEventBuilder.MaxTitle);
        Assert.EndsWith("t…", cutTitle, StringComparison.Ordinal);
        Assert.Equal(LifecycleEventBuilder.MaxActor, data.GetProperty("actor").GetString()!.Length);
        Assert.True(body.ToMemory().Length < 8 * 1024, $"the body is {body.ToMemory().Length} bytes");
    }

    /// <summary>Retries and replays send the same bytes under the same id: to a subscriber they are one event.</summary>
    [Fact]
    public void TheSameTransitionAlwaysGivesTheSameMessage()
    {
        var first = ServiceBusLifecycleEventPublisher.ToMessage(Events.Create(Acknowledged(), Incident()));
        var second = ServiceBusLifecycleEventPublisher.ToMessage(Events.Create(Acknowledged(), Incident()));

        Assert.Equal(first.MessageId, second.MessageId);
        Assert.Equal(Encoding.UTF8.GetString(first.Body), Encoding.UTF8.GetString(second.Body));
    }

    static JsonElement DataOf(LifecycleEvent incidentEvent) =>
        JsonDocument.Parse(incidentEvent.ToCloudEvent().Data!).RootElement;
}
