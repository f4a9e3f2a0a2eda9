using System.Text.Json;
using IncidentFunctions.Ingestion;
using IncidentFunctions.Model;
using IncidentFunctions.Validation;

namespace IncidentFunctions.Tests.Unit;

public sealed class GrafanaFormatTests
{
    const string Integration = "grafana";
    const string BatchId = "batch9";
    static readonly DateTimeOffset ReceivedAt = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    /// <summary>A Grafana alerting webhook notification: the Alertmanager fields plus orgId, title, state, message and
    /// per alert silenceURL, dashboardURL, panelURL and values.</summary>
    const string FiringBatch = """
        {
          "receiver": "incident-functions",
          "status": "firing",
          "orgId": 1,
          "alerts": [
            {
              "status": "firing",
              "labels": { "alertname": "High memory usage", "grafana_folder": "Infrastructure", "team": "blue", "zone": "us-1" },
              "annotations": { "description": "The system has high memory usage", "runbook_url": "https://runbooks.example.com/memory", "summary": "Memory above 90% in zone us-1" },
              "startsAt": "2026-11-26T09:51:03.157076+02:00",
              "endsAt": "0001-01-01T00:00:00Z",
              "generatorURL": "https://grafana.example.com/alerting/grafana/be2kx8qm1/view?orgId=1",
              "fingerprint": "c6eadffa33fcdf37",
              "silenceURL": "https://grafana.example.com/alerting/silence/new?alertmanager=grafana&matcher=alertname%3DHigh+memory+usage&orgId=1",
              "dashboardURL": "https://grafana.example.com/d/node-exp/node-exporter?orgId=1",
              "panelURL": "https://grafana.example.com/d/node-exp/node-exporter?orgId=1&viewPanel=12",
              "values": { "B": 93.41762306594848, "C": 1 },
              "valueString": "[ var='B' labels={zone=us-1} value=93.41762306594848 ], [ var='C' labels={zone=us-1} value=1 ]"
            },
            {
              "status": "firing",
              "labels": { "alertname": "High memory usage", "grafana_folder": "Infrastructure", "team": "blue", "zone": "eu-1", "severity": "high" },
              "annotations": {},
              "startsAt": "2026-11-26T07:52:03Z",
              "endsAt": "0001-01-01T00:00:00Z",
              "generatorURL": "https://grafana.example.com/alerting/grafana/be2kx8qm1/view?orgId=1",
              "fingerprint": "b8f42e06d2b1d7a1",
              "silenceURL": "https://grafana.example.com/alerting/silence/new?alertmanager=grafana&orgId=1",
              "dashboardURL": "",
              "panelURL": "",
              "values": null
            }
          ],
          "groupLabels": { "alertname": "High memory usage" },
          "commonLabels": { "alertname": "High memory usage", "grafana_folder": "Infrastructure", "team": "blue" },
          "commonAnnotations": {},
          "externalURL": "https://grafana.example.com/",
          "version": "1",
          "groupKey": "{}/{}:{alertname=\"High memory usage\"}",
          "truncatedAlerts": 0,
          "title": "[FIRING:2] High memory usage Infrastructure (blue)",
          "state": "alerting",
          "message": "**Firing**\n\nValue: B=93.41, C=1\nLabels:\n - alertname = High memory usage\n"
        }
        """;

    static (IReadOnlyList<Alert> Alerts, IReadOnlyList<FieldError> Errors) Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return AlertmanagerFormat.ParseGrafana(document.RootElement, Integration, BatchId, ReceivedAt);
    }

    static string Payload(string version, string alert) =>
        $$"""{{{version}}"status":"firing","orgId":1,"receiver":"r","alerts":[{{alert}}]}""";

    [Fact]
    public void FiringBatchMapsEachAlertWithItsFingerprintSummaryAndStart()
    {
        var (alerts, errors) = Parse(FiringBatch);

        Assert.Empty(errors);
        Assert.Equal(2, alerts.Count);
        var first = alerts[0];
        Assert.Equal($"{BatchId}-0", first.Id);
        Assert.Equal("c6eadffa33fcdf37", first.DedupKey);
        Assert.Equal("b8f42e06d2b1d7a1", alerts[1].DedupKey);
        Assert.Equal("Memory above 90% in zone us-1", first.Title);
        Assert.Equal("High memory usage", alerts[1].Title);
        Assert.Equal("The system has high memory usage", first.Description);
        Assert.Equal(Severity.Warning, first.Severity);
        Assert.Equal(Severity.High, alerts[1].Severity);
        Assert.Equal(AlertStatus.Firing, first.Status);
        Assert.Equal("incident-functions", first.Source);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 7, 51, 3, 157, 76, TimeSpan.Zero), first.OccurredAt);
    }

    [Fact]
    public void DashboardPanelSilenceAndSourceUrlsBecomeLinks()
    {
        var (alerts, _) = Parse(FiringBatch);

        Assert.Equal(
            [
                new AlertLink("https://grafana.example.com/alerting/grafana/be2kx8qm1/view?orgId=1", "Source"),
                new AlertLink("https://grafana.example.com/d/node-exp/node-exporter?orgId=1", "Dashboard"),
                new AlertLink("https://grafana.example.com/d/node-exp/node-exporter?orgId=1&viewPanel=12", "Panel"),
                new AlertLink("https://grafana.example.com/alerting/silence/new?alertmanager=grafana&matcher=alertname%3DHigh+memory+usage&orgId=1", "Silence"),
            ],
            alerts[0].Links);
    }

    [Fact]
    public void EmptyOrRelativeUrlsAreSkipped()
    {
        var (alerts, _) = Parse(FiringBatch);
        var (relative, errors) = Parse(Payload("", """
            {"status":"firing","labels":{"alertname":"A"},"dashboardURL":"/d/node-exp","panelURL":"javascript:alert(1)","silenceURL":"https://grafana.example.com/alerting/silence/new"}
            """));

        Assert.Equal(["Source", "Silence"], alerts[1].Links.Select(l => l.Text));
        Assert.Empty(errors);
        Assert.Equal([new AlertLink("https://grafana.example.com/alerting/silence/new", "Silence")], Assert.Single(relative).Links);
    }

    [Fact]
    public void ValuesAndOtherAnnotationsAreKeptAsPrefixedLabels()
    {
        var (alerts, _) = Parse(FiringBatch);

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["alertname"] = "High memory usage",
                ["grafana_folder"] = "Infrastructure",
                ["team"] = "blue",
                ["zone"] = "us-1",
                ["annotation.runbook_url"] = "https://runbooks.example.com/memory",
                ["value.B"] = "93.41762306594848",
                ["value.C"] = "1",
            },
            alerts[0].Labels);
    }

    [Fact]
    public void ValuesThatAreNotNumbersAreSkipped()
    {
        var (alerts, errors) = Parse(Payload("", """{"status":"firing","labels":{"alertname":"A"},"values":{"B":"NaN","C":2.5}}"""));

        Assert.Empty(errors);
        Assert.Equal("2.5", Assert.Single(alerts).Labels["value.C"]);
        Assert.DoesNotContain("value.B", alerts[0].Labels.Keys);
    }

    [Theory]
    [InlineData("\"version\":\"1\",")]
    [InlineData("\"version\":\"4\",")]
    [InlineData("")]
    public void AnyVersionOrNoneIsAccepted(string version)
    {
        var (alerts, errors) = Parse(Payload(version, """{"status":"resolved","labels":{"alertname":"A"}}"""));

        Assert.Empty(errors);
        Assert.Equal(AlertStatus.Resolved, Assert.Single(alerts).Status);
    }

    [Fact]
    public void TitleFallbackNamesGrafana()
    {
        var (alerts, _) = Parse(Payload("", """{"status":"firing","labels":{}}"""));

        Assert.Equal("Grafana alert", Assert.Single(alerts).Title);
    }

    [Fact]
    public void TheAlertmanagerParserIgnoresGrafanasExtraUrlsAndValues()
    {
        using var document = JsonDocument.Parse(FiringBatch.Replace("\"version\": \"1\"", "\"version\": \"4\"", StringComparison.Ordinal));
        var (alerts, errors) = AlertmanagerFormat.Parse(document.RootElement, Integration, BatchId, ReceivedAt);

        Assert.Empty(errors);
        Assert.Equal(["Source"], alerts[0].Links.Select(l => l.Text));
        Assert.DoesNotContain(alerts[0].Labels.Keys, k => k.StartsWith("value.", StringComparison.Ordinal));
    }

    public static TheoryData<string, string> MalformedPayloads => new()
    {
        { "[]", "body" },
        { """{"version":1,"alerts":[{"status":"firing"}]}""", "version" },
        { """{"version":"1","alerts":[]}""", "alerts" },
        { """{"version":"1","alerts":"none"}""", "alerts" },
        { Payload("", "[]"), "alerts[0]" },
        { Payload("", """{"status":"pending","labels":{"alertname":"A"}}"""), "alerts[0].status" },
        { Payload("", """{"status":"firing","labels":"alertname=A"}"""), "alerts[0].labels" },
        { Payload("", """{"status":"firing","labels":{"alertname":"A"},"startsAt":"2026-13-40T00:00:00Z"}"""), "alerts[0].startsAt" },
    };

    [Theory]
    [MemberData(nameof(MalformedPayloads))]
    public void MalformedPayloadIsRefusedWholeWithThePathOfTheField(string json, string field)
    {
        var (alerts, errors) = Parse(json);

        Assert.Empty(alerts);
        Assert.Equal(field, Assert.Single(errors).Field);
    }

    [Fact]
    public void ParseGrafanaMatchesTheParserDelegate()
    {
        AlertParser parser = AlertmanagerFormat.ParseGrafana;
        using var document = JsonDocument.Parse(FiringBatch);

        Assert.Equal(2, parser(document.RootElement, Integration, BatchId, ReceivedAt).Alerts.Count);
    }
}
