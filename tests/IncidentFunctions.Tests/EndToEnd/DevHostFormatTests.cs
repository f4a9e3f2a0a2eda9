using System.Net;
using System.Text;
using System.Text.Json;
using IncidentFunctions.Tests.Infrastructure;

namespace IncidentFunctions.Tests.EndToEnd;

/// <summary>Vendor payloads, as their senders post them, through the dev host: fire, repeat, resolve.</summary>
[Collection(DevHostCollection.Name)]
public sealed class DevHostFormatTests(DevHostFixture fixture)
{
    [Fact]
    public async Task AnAlertmanagerWebhookFiresRepeatsAndResolvesAnIncident()
    {
        var fingerprint = Guid.NewGuid().ToString("N")[..16];
        await PostAsync(DevHostFixture.AlertmanagerIntegration, Alertmanager(fingerprint, "firing"));
        var open = await Eventually.Get(() => fixture.FindIncidentAsync(fingerprint, "open"), "the Alertmanager incident");
        Assert.Equal("Disk almost full on node-7", open.Title);
        Assert.Equal(Model.Severity.Critical, open.Severity);

        await PostAsync(DevHostFixture.AlertmanagerIntegration, Alertmanager(fingerprint, "firing"));
        await Eventually.Get(() => fixture.FindIncidentAsync(fingerprint), i => i?.AlertCount == 2, "the repeat counted");

        await PostAsync(DevHostFixture.AlertmanagerIntegration, Alertmanager(fingerprint, "resolved"));
        var resolved = await Eventually.Get(() => fixture.FindIncidentAsync(fingerprint, "resolved"), "the incident resolved by the source");
        Assert.Equal(open.Id, resolved.Id);
    }

    [Fact]
    public async Task AnAzureMonitorAlertWithTheSecretInTheUrlFiresRepeatsAndResolvesAnIncident()
    {
        var alertId = $"/subscriptions/{Guid.NewGuid()}/providers/Microsoft.AlertsManagement/alerts/{Guid.NewGuid()}";
        await PostAsync(DevHostFixture.AzureMonitorIntegration, AzureMonitor(alertId, "Fired"), secretInUrl: true);
        var open = await Eventually.Get(() => fixture.FindIncidentAsync(alertId, "open"), "the Azure Monitor incident");
        Assert.StartsWith("High CPU", open.Title);
        Assert.Equal(Model.Severity.High, open.Severity);

        await PostAsync(DevHostFixture.AzureMonitorIntegration, AzureMonitor(alertId, "Fired"), secretInUrl: true);
        await Eventually.Get(() => fixture.FindIncidentAsync(alertId), i => i?.AlertCount == 2, "the repeat counted");

        await PostAsync(DevHostFixture.AzureMonitorIntegration, AzureMonitor(alertId, "Resolved"), secretInUrl: true);
        var resolved = await Eventually.Get(() => fixture.FindIncidentAsync(alertId, "resolved"), "the incident resolved by the source");
        Assert.Equal(open.Id, resolved.Id);
    }

    [Fact]
    public async Task AnAzureMonitorServiceHealthIssueOpensOnItsActiveEventAndResolvesOnItsResolvedOne()
    {
        // Each communication of a Service Health issue is an activity log alert of its own, always "Fired": only the
        // tracking id and the stage tell that the last one ends the issue the first one began.
        var trackingId = Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        await PostAsync(DevHostFixture.AzureMonitorIntegration, ServiceHealth(trackingId, "Active"), secretInUrl: true);
        var open = await Eventually.Get(() => fixture.FindIncidentAsync($"ServiceHealth:{trackingId}", "open"), "the Service Health incident");
        Assert.Equal("Service Health: Azure Synapse Analytics Scheduled Maintenance Pending (Azure Synapse Analytics, East US)", open.Title);

        await PostAsync(DevHostFixture.AzureMonitorIntegration, ServiceHealth(trackingId, "Resolved"), secretInUrl: true);
        var resolved = await Eventually.Get(() => fixture.FindIncidentAsync($"ServiceHealth:{trackingId}", "resolved"), "the issue resolved by Azure");
        Assert.Equal(open.Id, resolved.Id);
    }

    [Fact]
    public async Task AGrafanaWebhookSignedWithHmacFiresRepeatsAndResolvesAnIncident()
    {
        var fingerprint = Guid.NewGuid().ToString("N")[..16];
        await PostGrafanaAsync(Grafana(fingerprint, "firing"));
        var open = await Eventually.Get(() => fixture.FindIncidentAsync(fingerprint, "open"), "the Grafana incident");
        Assert.Equal("Error rate above 5% on checkout", open.Title);
        Assert.Contains(open.Links, l => l.Text == "Dashboard");

        await PostGrafanaAsync(Grafana(fingerprint, "firing"));
        await Eventually.Get(() => fixture.FindIncidentAsync(fingerprint), i => i?.AlertCount == 2, "the repeat counted");

        await PostGrafanaAsync(Grafana(fingerprint, "resolved"));
        var resolved = await Eventually.Get(() => fixture.FindIncidentAsync(fingerprint, "resolved"), "the incident resolved by Grafana");
        Assert.Equal(open.Id, resolved.Id);

        // The same body with a signature made with another secret is refused and changes nothing.
        using var forged = await SendGrafanaAsync(Grafana(fingerprint, "firing"), "not-the-grafana-secret-000");
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
    }

    async Task PostGrafanaAsync(string body)
    {
        using var response = await SendGrafanaAsync(body, DevHostFixture.GrafanaHmacSecret);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    /// <summary>Signs as Grafana does with a timestamp header: hex HMAC-SHA256 over "{timestamp}:{body}".</summary>
    Task<HttpResponseMessage> SendGrafanaAsync(string body, string secret)
    {
        var stamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString();
        var signature = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{stamp}:{body}")));
        var request = new HttpRequestMessage(HttpMethod.Post, $"alerts/{DevHostFixture.GrafanaIntegration}")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(Ingestion.HmacSignatures.DefaultHeader, signature);
        request.Headers.Add(Ingestion.HmacSignatures.GrafanaTimestampHeader, stamp);
        return fixture.Http.SendAsync(request);
    }

    static string Grafana(string fingerprint, string status) => $$"""
        {
          "receiver": "incidentfunctions",
          "status": "{{status}}",
          "orgId": 1,
          "alerts": [
            {
              "status": "{{status}}",
              "labels": { "alertname": "HighErrorRate", "service": "checkout", "severity": "critical", "grafana_folder": "Shop" },
              "annotations": { "summary": "Error rate above 5% on checkout" },
              "startsAt": "2026-11-26T03:00:00Z",
              "endsAt": "0001-01-01T00:00:00Z",
              "generatorURL": "https://grafana.example.com/alerting/grafana/abc123/view",
              "fingerprint": "{{fingerprint}}",
              "silenceURL": "https://grafana.example.com/alerting/silence/new?alertmanager=grafana",
              "dashboardURL": "https://grafana.example.com/d/checkout",
              "panelURL": "https://grafana.example.com/d/checkout?viewPanel=2",
              "values": { "B": 7.3, "C": 1 }
            }
          ],
          "groupLabels": { "alertname": "HighErrorRate" },
          "commonLabels": { "alertname": "HighErrorRate", "service": "checkout", "severity": "critical" },
          "commonAnnotations": { "summary": "Error rate above 5% on checkout" },
          "externalURL": "https://grafana.example.com/",
          "version": "1",
          "groupKey": "{}:{alertname=\"HighErrorRate\"}",
          "truncatedAlerts": 0,
          "title": "[FIRING:1] HighErrorRate",
          "state": "alerting",
          "message": "Error rate above 5% on checkout"
        }
        """;

    [Fact]
    public async Task AMalformedVendorPayloadIsRefusedWith400AndOpensNothing()
    {
        using var response = await SendAsync(DevHostFixture.AlertmanagerIntegration, """{"version":"4","alerts":[{"status":"pending","labels":{}}]}""", secretInUrl: false);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty("alerts[0].status", out _), problem.ToString());
    }

    [Fact]
    public async Task PagerDutyEventsTriggerRepeatAcknowledgeAndResolveAnIncidentByDedupKey()
    {
        var dedupKey = "pd-" + Guid.NewGuid().ToString("N");
        Assert.Equal(dedupKey, await EnqueueAsync(PagerDutyTrigger(dedupKey)));
        var open = await Eventually.Get(() => fixture.FindIncidentAsync(dedupKey, "open"), "the Events API incident");
        Assert.Equal("Checkout latency above 2 s", open.Title);
        Assert.Equal(Model.Severity.High, open.Severity);
        Assert.Equal(DevHostFixture.PagerDutyIntegration, open.Integration);

        await EnqueueAsync(PagerDutyTrigger(dedupKey));
        await Eventually.Get(() => fixture.FindIncidentAsync(dedupKey), i => i?.AlertCount == 2, "the repeat counted");

        await EnqueueAsync(PagerDutyAction("acknowledge", dedupKey));
        var acknowledged = await Eventually.Get(() => fixture.FindIncidentAsync(dedupKey, "acknowledged"), "the incident acknowledged by the source");
        Assert.Equal(open.Id, acknowledged.Id);
        Assert.Equal(DevHostFixture.PagerDutyIntegration, acknowledged.AcknowledgedBy);
        Assert.Equal(2, acknowledged.AlertCount);

        await EnqueueAsync(PagerDutyAction("resolve", dedupKey));
        var resolved = await Eventually.Get(() => fixture.FindIncidentAsync(dedupKey, "resolved"), "the incident resolved by the source");
        Assert.Equal(open.Id, resolved.Id);

        // A trigger after the resolve opens a new incident for the same key.
        await EnqueueAsync(PagerDutyTrigger(dedupKey));
        var reopened = await Eventually.Get(() => fixture.FindIncidentAsync(dedupKey, "open"), "a new incident for the same key");
        Assert.NotEqual(open.Id, reopened.Id);
    }

    [Fact]
    public async Task AnEventsApiTriggerWithoutDedupKeyIsAnsweredWithTheKeyThatActsOnIt()
    {
        var summary = "Queue depth above 10k on " + Guid.NewGuid().ToString("N");
        var trigger = $$$"""{"routing_key":"{{{DevHostFixture.RoutingKey}}}","event_action":"trigger","payload":{"summary":"{{{summary}}}","source":"queue-7","severity":"warning"}}""";

        var dedupKey = await EnqueueAsync(trigger);
        Assert.Equal(dedupKey, await EnqueueAsync(trigger));
        var open = await Eventually.Get(() => fixture.FindIncidentAsync(dedupKey, "open"), "the incident of the generated key");
        Assert.Equal(summary, open.Title);

        await EnqueueAsync(PagerDutyAction("resolve", dedupKey));
        var resolved = await Eventually.Get(() => fixture.FindIncidentAsync(dedupKey, "resolved"), "the incident resolved through the returned key");
        Assert.Equal(open.Id, resolved.Id);
    }

    [Theory]
    [InlineData("""{"routing_key":"ROUTING","event_action":"trigger","payload":{"summary":"s","source":"h","severity":"sev1"}}""", "payload.severity")]
    [InlineData("""{"routing_key":"ROUTING","event_action":"resolve"}""", "dedup_key")]
    [InlineData("""{"routing_key":"wrong-key-0123456789","event_action":"resolve","dedup_key":"k"}""", "routing_key")]
    [InlineData("""{"routing_key":"ROUTING","event_action":"trigger","payload":{"summary":"s",""", "body")]
    public async Task AnInvalidEventsApiEventIsRefusedInPagerDutysErrorShape(string body, string field)
    {
        using var response = await SendEventAsync(body.Replace("ROUTING", DevHostFixture.RoutingKey));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("invalid event", answer.GetProperty("status").GetString());
        var errors = answer.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(errors, e => e.StartsWith(field, StringComparison.Ordinal));
        Assert.DoesNotContain(DevHostFixture.RoutingKey, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Posts an Events API event, expects 202 and returns the dedup key the answer names.</summary>
    async Task<string> EnqueueAsync(string body)
    {
        using var response = await SendEventAsync(body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, text);
        var answer = JsonDocument.Parse(text).RootElement;
        Assert.Equal("success", answer.GetProperty("status").GetString());
        return answer.GetProperty("dedup_key").GetString()!;
    }

    Task<HttpResponseMessage> SendEventAsync(string body) =>
        fixture.Http.PostAsync(Routes.PagerDutyEvents, new StringContent(body, Encoding.UTF8, "application/json"));

    static string PagerDutyTrigger(string dedupKey) => $$"""
        {
          "routing_key": "{{DevHostFixture.RoutingKey}}",
          "event_action": "trigger",
          "dedup_key": "{{dedupKey}}",
          "payload": {
            "summary": "Checkout latency above 2 s",
            "source": "checkout-api.prod",
            "severity": "error",
            "component": "checkout",
            "custom_details": { "p99": "2.4 s" }
          },
          "links": [ { "href": "https://grafana.example.com/d/checkout", "text": "Dashboard" } ]
        }
        """;

    static string PagerDutyAction(string action, string dedupKey) =>
        $$"""{"routing_key":"{{DevHostFixture.RoutingKey}}","event_action":"{{action}}","dedup_key":"{{dedupKey}}"}""";

    async Task PostAsync(string integration, string body, bool secretInUrl = false)
    {
        using var response = await SendAsync(integration, body, secretInUrl);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    Task<HttpResponseMessage> SendAsync(string integration, string body, bool secretInUrl)
    {
        // Azure Monitor action groups cannot add headers: their secret travels in the URL.
        var request = new HttpRequestMessage(HttpMethod.Post, $"alerts/{integration}" + (secretInUrl ? $"?key={DevHostFixture.Secret}" : string.Empty))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (!secretInUrl)
        {
            request.Headers.Authorization = new("Bearer", DevHostFixture.Secret);
        }

        return fixture.Http.SendAsync(request);
    }

    static string Alertmanager(string fingerprint, string status) => $$"""
        {
          "version": "4",
          "groupKey": "{}:{alertname=\"DiskFull\"}",
          "truncatedAlerts": 0,
          "status": "{{status}}",
          "receiver": "incidentfunctions",
          "groupLabels": { "alertname": "DiskFull" },
          "commonLabels": { "alertname": "DiskFull", "severity": "critical" },
          "commonAnnotations": {},
          "externalURL": "http://alertmanager.example.com:9093",
          "alerts": [
            {
              "status": "{{status}}",
              "labels": { "alertname": "DiskFull", "instance": "node-7", "job": "node", "severity": "critical" },
              "annotations": { "summary": "Disk almost full on node-7", "description": "Less than 5% free on /var." },
              "startsAt": "2026-11-26T03:00:00Z",
              "endsAt": "0001-01-01T00:00:00Z",
              "generatorURL": "http://prometheus.example.com:9090/graph?g0.expr=disk",
              "fingerprint": "{{fingerprint}}"
            }
          ]
        }
        """;

    /// <summary>The Service Health sample from Microsoft's page, as one event of a new issue: ids of its own, always "Fired".</summary>
    static string ServiceHealth(string trackingId, string stage)
    {
        var eventId = Guid.NewGuid().ToString();
        return AzureMonitorSamples.With(
            "service-health",
            ("data.essentials.alertId", JsonSerializer.Serialize($"/subscriptions/{Guid.NewGuid()}/providers/Microsoft.AlertsManagement/alerts/{eventId}")),
            ("data.essentials.originAlertId", JsonSerializer.Serialize($"{eventId}_123456789012345678901234567890ab")),
            ("data.alertContext.eventDataId", JsonSerializer.Serialize(eventId)),
            ("data.alertContext.properties.trackingId", JsonSerializer.Serialize(trackingId)),
            ("data.alertContext.properties.stage", JsonSerializer.Serialize(stage)));
    }

    static string AzureMonitor(string alertId, string condition) => $$"""
        {
          "schemaId": "azureMonitorCommonAlertSchema",
          "data": {
            "essentials": {
              "alertId": "{{alertId}}",
              "alertRule": "High CPU",
              "severity": "Sev1",
              "signalType": "Metric",
              "monitorCondition": "{{condition}}",
              "monitoringService": "Platform",
              "alertTargetIDs": [ "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-01" ],
              "configurationItems": [ "vm-01" ],
              "originAlertId": "{{alertId}}",
              "firedDateTime": "2026-11-26T03:00:00.000Z",
              "description": "CPU above 90% for 5 minutes",
              "essentialsVersion": "1.0",
              "alertContextVersion": "1.0"
            },
            "alertContext": {},
            "customProperties": {}
          }
        }
        """;
}
