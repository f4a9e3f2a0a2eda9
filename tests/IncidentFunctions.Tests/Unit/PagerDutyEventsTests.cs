using System.Text.Json;
using System.Text.Json.Nodes;
using IncidentFunctions.Ingestion;
using IncidentFunctions.Model;
using IncidentFunctions.Validation;

namespace IncidentFunctions.Tests.Unit;

public sealed class PagerDutyEventsTests
{
    const string AlertId = "batch9-0";
    const string RoutingKey = "0f8e3c5b7a9d4e21b6c04f7a2d9e8b13";
    static readonly DateTimeOffset ReceivedAt = new(2026, 11, 26, 3, 0, 5, TimeSpan.Zero);

    // Written from the Events API v2 documentation: a trigger with every documented field.
    const string DocumentedTrigger = """
        {
          "routing_key": "0f8e3c5b7a9d4e21b6c04f7a2d9e8b13",
          "event_action": "trigger",
          "dedup_key": "srv01/HTTP",
          "payload": {
            "summary": "DISK at 99% on machine prod-datapipe03.example.com",
            "timestamp": "2026-11-26T02:58:41.000+00:00",
            "severity": "critical",
            "source": "prod-datapipe03.example.com",
            "component": "mysql",
            "group": "prod-datapipe",
            "class": "disk",
            "custom_details": { "free space": "1%", "ping time": "1500ms", "load avg": 0.75, "volumes": ["/", "/var"] }
          },
          "images": [ { "src": "https://chart.example.com/disk.png", "href": "https://example.com/", "alt": "Disk usage" } ],
          "links": [ { "href": "https://runbooks.example.com/disk", "text": "Runbook" }, { "href": "mailto:ops@example.com", "text": "Mail" } ],
          "client": "Sample Monitoring Service",
          "client_url": "https://monitoring.example.com"
        }
        """;

    // What Prometheus Alertmanager 0.25's pagerduty_config sends with its defaults (severity "error", source and client
    // "Alertmanager", the group's firing and resolved lists as details, dedup_key = SHA-256 of the group key).
    const string AlertmanagerTrigger = """
        {
          "routing_key": "0f8e3c5b7a9d4e21b6c04f7a2d9e8b13",
          "dedup_key": "5c1d7b0b6e38f1a3d0e4c2b9a8f7e6d5c4b3a2918f7e6d5c4b3a2918f7e6d5c4",
          "event_action": "trigger",
          "payload": {
            "summary": "[FIRING:1] DiskFull (node-7 node critical)",
            "source": "Alertmanager",
            "severity": "error",
            "custom_details": {
              "firing": "Labels:\n - alertname = DiskFull\n - instance = node-7\nAnnotations:\n - summary = Disk almost full\nSource: http://prometheus.example.com:9090/graph\n",
              "num_firing": "1",
              "num_resolved": "0",
              "resolved": ""
            }
          },
          "client": "Alertmanager",
          "client_url": "http://alertmanager.example.com:9093/#/alerts?receiver=pagerduty"
        }
        """;

    static PagerDutyEvent Accept(string json)
    {
        using var document = JsonDocument.Parse(json);
        var (parsed, errors) = PagerDutyEvents.Parse(document.RootElement, AlertId, ReceivedAt);
        Assert.Empty(errors);
        return parsed!;
    }

    static IReadOnlyList<FieldError> Refuse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var (parsed, errors) = PagerDutyEvents.Parse(document.RootElement, AlertId, ReceivedAt);
        Assert.Null(parsed);
        Assert.NotEmpty(errors);
        return errors;
    }

    static string With(string json, Action<JsonObject> change)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        change(node);
        return node.ToJsonString();
    }

    [Fact]
    public void ADocumentedTriggerBecomesAFiringAlertWithEveryFieldKept()
    {
        var parsed = Accept(DocumentedTrigger);
        var alert = parsed.Alert;

        Assert.Equal(RoutingKey, parsed.RoutingKey);
        Assert.Equal("trigger", parsed.Action);
        Assert.Equal(AlertStatus.Firing, alert.Status);
        Assert.Equal("srv01/HTTP", alert.DedupKey);
        Assert.Equal("DISK at 99% on machine prod-datapipe03.example.com", alert.Title);
        Assert.Equal(Severity.Critical, alert.Severity);
        Assert.Equal("prod-datapipe03.example.com", alert.Source);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 2, 58, 41, TimeSpan.Zero), alert.OccurredAt);
        Assert.Equal(ReceivedAt, alert.ReceivedAt);
        Assert.Equal(AlertId, alert.Id);
        Assert.Equal("mysql", alert.Labels["component"]);
        Assert.Equal("prod-datapipe", alert.Labels["group"]);
        Assert.Equal("disk", alert.Labels["class"]);
        Assert.Equal("1%", alert.Labels["details.free space"]);
        Assert.Equal("0.75", alert.Labels["details.load avg"]);
        Assert.DoesNotContain("details.volumes", alert.Labels.Keys);
        Assert.Contains("volumes: [\"/\", \"/var\"]", alert.Description);
        Assert.Contains("ping time: 1500ms", alert.Description);
    }

    [Fact]
    public void ClientUrlAndWebLinksAreKeptAndOtherSchemesLeftOut()
    {
        var links = Accept(DocumentedTrigger).Alert.Links;

        Assert.Equal(
            [new AlertLink("https://monitoring.example.com", "Sample Monitoring Service"), new AlertLink("https://runbooks.example.com/disk", "Runbook")],
            links);
    }

    [Theory]
    [InlineData("critical", Severity.Critical)]
    [InlineData("error", Severity.High)]
    [InlineData("warning", Severity.Warning)]
    [InlineData("info", Severity.Info)]
    public void SeveritiesMapOntoOurs(string severity, Severity expected)
    {
        var json = With(DocumentedTrigger, o => o["payload"]!["severity"] = severity);

        Assert.Equal(expected, Accept(json).Alert.Severity);
    }

    [Fact]
    public void AlertmanagersPagerDutyConfigIsAcceptedUnchanged()
    {
        var alert = Accept(AlertmanagerTrigger).Alert;

        Assert.Equal("5c1d7b0b6e38f1a3d0e4c2b9a8f7e6d5c4b3a2918f7e6d5c4b3a2918f7e6d5c4", alert.DedupKey);
        Assert.Equal("[FIRING:1] DiskFull (node-7 node critical)", alert.Title);
        Assert.Equal(Severity.High, alert.Severity);
        Assert.Equal("1", alert.Labels["details.num_firing"]);
        Assert.StartsWith("firing: Labels:\n - alertname = DiskFull", alert.Description);
        Assert.Equal("Alertmanager", Assert.Single(alert.Links).Text);
    }

    [Fact]
    public void ATriggerWithoutDedupKeyGetsTheSameKeyEveryTimeItIsSent()
    {
        var json = With(DocumentedTrigger, o => o.Remove("dedup_key"));

        var first = Accept(json).Alert.DedupKey;
        var again = Accept(json).Alert.DedupKey;
        var other = Accept(With(json, o => o["payload"]!["summary"] = "DISK at 99% on machine prod-datapipe04")).Alert.DedupKey;

        Assert.StartsWith(Fingerprint.Prefix, first);
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Theory]
    [InlineData("acknowledge", AlertStatus.Acknowledged)]
    [InlineData("resolve", AlertStatus.Resolved)]
    public void AcknowledgeAndResolveNeedOnlyTheDedupKey(string action, AlertStatus expected)
    {
        var parsed = Accept($$"""{"routing_key":"{{RoutingKey}}","event_action":"{{action}}","dedup_key":"srv01/HTTP"}""");

        Assert.Equal(expected, parsed.Alert.Status);
        Assert.Equal("srv01/HTTP", parsed.Alert.DedupKey);
        Assert.Equal(action, parsed.Action);
    }

    public static TheoryData<string, string> MalformedEvents => new()
    {
        { "[]", "body" },
        { "\"trigger\"", "body" },
        { """{"event_action":"trigger","payload":{"summary":"s","source":"h","severity":"info"}}""", "routing_key" },
        { """{"routing_key":42,"event_action":"trigger","payload":{"summary":"s","source":"h","severity":"info"}}""", "routing_key" },
        { """{"routing_key":"k","payload":{"summary":"s","source":"h","severity":"info"}}""", "event_action" },
        { """{"routing_key":"k","event_action":"escalate","payload":{"summary":"s","source":"h","severity":"info"}}""", "event_action" },
        { """{"routing_key":"k","event_action":"acknowledge"}""", "dedup_key" },
        { """{"routing_key":"k","event_action":"resolve","dedup_key":""}""", "dedup_key" },
        { """{"routing_key":"k","event_action":"resolve","dedup_key":{"id":1}}""", "dedup_key" },
        { $$"""{"routing_key":"k","event_action":"resolve","dedup_key":"{{new string('d', 256)}}"}""", "dedup_key" },
        { """{"routing_key":"k","event_action":"trigger"}""", "payload" },
        { """{"routing_key":"k","event_action":"trigger","payload":"disk full"}""", "payload" },
        { """{"routing_key":"k","event_action":"trigger","payload":{"source":"h","severity":"info"}}""", "payload.summary" },
        { $$$"""{"routing_key":"k","event_action":"trigger","payload":{"summary":"{{{new string('s', 1025)}}}","source":"h","severity":"info"}}""", "payload.summary" },
        { """{"routing_key":"k","event_action":"trigger","payload":{"summary":"s","severity":"info"}}""", "payload.source" },
        { """{"routing_key":"k","event_action":"trigger","payload":{"summary":"s","source":"h"}}""", "payload.severity" },
        { """{"routing_key":"k","event_action":"trigger","payload":{"summary":"s","source":"h","severity":"high"}}""", "payload.severity" },
        { """{"routing_key":"k","event_action":"trigger","payload":{"summary":"s","source":"h","severity":"info","timestamp":"yesterday"}}""", "payload.timestamp" },
        { """{"routing_key":"k","event_action":"trigger","payload":{"summary":"s","source":"h","severity":"info","component":7}}""", "payload.component" },
        { """{"routing_key":"k","event_action":"trigger","payload":{"summary":"s","source":"h","severity":"info"},"links":{"href":"https://x"}}""", "links" },
        { """{"routing_key":"k","event_action":"trigger","payload":{"summary":"s","source":"h","severity":"info"},"links":[{"text":"no href"}]}""", "links[0].href" },
        { """{"routing_key":"k","event_action":"trigger","payload":{"summary":"s","source":"h","severity":"info"},"client_url":true}""", "client_url" },
    };

    [Theory]
    [MemberData(nameof(MalformedEvents))]
    public void AMalformedEventIsRefusedNamingTheField(string json, string field)
    {
        var errors = Refuse(json);

        Assert.Contains(errors, e => e.Field == field);
    }

    [Fact]
    public void HugeFreeTextIsShortenedNotRefused()
    {
        var huge = new string('x', 100_000);
        var json = With(DocumentedTrigger, o =>
        {
            o["payload"]!["custom_details"] = new JsonObject { ["log"] = huge };
            o["payload"]!["source"] = huge;
            o["links"] = new JsonArray(new JsonObject { ["href"] = "https://runbooks.example.com", ["text"] = huge });
        });

        var alert = Accept(json).Alert;

        Assert.Equal(AlertLimits.MaxDescription, alert.Description!.Length);
        Assert.Equal(AlertLimits.MaxSource, alert.Source!.Length);
        Assert.Equal(AlertLimits.MaxLabelValue, alert.Labels["details.log"].Length);
        Assert.EndsWith("…", alert.Links[^1].Text);
    }
}
