using System.Net;
using System.Text;
using System.Text.Json;
using IncidentFunctions.Incidents;
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
        Assert.Equal(Ingestion.Severity.Critical, open.Severity);

        await PostAsync(DevHostFixture.AlertmanagerIntegration, Alertmanager(fingerprint, "firing"));
        await Eventually.Get(() => fixture.FindIncidentAsync(fingerprint), i => i?.AlertCount == 2, "the repeat counted");

        await PostAsync(DevHostFixture.AlertmanagerIntegration, Alertmanager(fingerprint, "resolved"));
        var resolved = await Eventually.Get(() => fixture.FindIncidentAsync(fingerprint, "resolved"), "the incident resolved by the source");
        Assert.Equal(open.Id, resolved.Id);
    }

    [Fact]
    public async Task AnAzureMonitorAlertWithTheSecretInTheUrlFiresAndResolvesAnIncident()
    {
        var alertId = $"/subscriptions/{Guid.NewGuid()}/providers/Microsoft.AlertsManagement/alerts/{Guid.NewGuid()}";
        await PostAsync(DevHostFixture.AzureMonitorIntegration, AzureMonitor(alertId, "Fired"), secretInUrl: true);
        var open = await Eventually.Get(() => fixture.FindIncidentAsync(alertId, "open"), "the Azure Monitor incident");
        Assert.StartsWith("High CPU", open.Title);
        Assert.Equal(Ingestion.Severity.High, open.Severity);

        await PostAsync(DevHostFixture.AzureMonitorIntegration, AzureMonitor(alertId, "Resolved"), secretInUrl: true);
        var resolved = await Eventually.Get(() => fixture.FindIncidentAsync(alertId, "resolved"), "the incident resolved by the source");
        Assert.Equal(open.Id, resolved.Id);
    }

    [Fact]
    public async Task AMalformedVendorPayloadIsRefusedWith400AndOpensNothing()
    {
        using var response = await SendAsync(DevHostFixture.AlertmanagerIntegration, """{"version":"4","alerts":[{"status":"pending","labels":{}}]}""", secretInUrl: false);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty("alerts[0].status", out _), problem.ToString());
    }

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
