using IncidentFunctions.Model;
using IncidentFunctions.Tests.Infrastructure;
using IncidentFunctions.TestTools;

namespace IncidentFunctions.Tests.EndToEnd;

/// <summary>
/// A real Prometheus Alertmanager, configured as a user would, notifying the dev host through its webhook receiver and
/// through its PagerDuty receiver pointed at our Events API endpoint. Whatever the real sender puts on the wire (grouping,
/// resolved notifications, its own dedup keys, its authorization header) is what these tests accept.
/// </summary>
[Collection(DevHostCollection.Name)]
public sealed class RealAlertmanagerTests(DevHostFixture fixture)
{
    [Fact]
    public async Task AlertmanagersWebhookReceiverOpensAndResolvesAnIncident()
    {
        var name = "DiskFull" + Guid.NewGuid().ToString("N")[..12];
        await using var alertmanager = await AlertmanagerProcess.StartAsync(Config($"""
            webhook_configs:
                  - url: {fixture.Host.BaseAddress}alerts/{DevHostFixture.AlertmanagerIntegration}
                    send_resolved: true
                    http_config:
                      authorization:
                        credentials: {DevHostFixture.Secret}
            """));

        var startsAt = DateTimeOffset.UtcNow;
        await alertmanager.PostAlertsAsync(Alert(name, startsAt, endsAt: null));
        var open = await Eventually.Get(() => fixture.FindIncidentAsync(i => i.Title == $"Disk almost full on {name}", "open"), "the incident Alertmanager's webhook opened\n" + alertmanager.Output);
        Assert.Equal(DevHostFixture.AlertmanagerIntegration, open.Integration);
        Assert.Equal(Model.Severity.Critical, open.Severity);

        await alertmanager.PostAlertsAsync(Alert(name, startsAt, endsAt: DateTimeOffset.UtcNow.AddSeconds(-1)));
        var resolved = await Eventually.Get(() => fixture.FindIncidentAsync(i => i.Id == open.Id, "resolved"), "the incident resolved by Alertmanager\n" + alertmanager.Output);
        Assert.Equal(DevHostFixture.AlertmanagerIntegration, resolved.ResolvedBy);
    }

    [Fact]
    public async Task AlertmanagersPagerDutyReceiverPointedAtOurEndpointOpensAndResolvesAnIncident()
    {
        var name = "LatencyHigh" + Guid.NewGuid().ToString("N")[..12];
        await using var alertmanager = await AlertmanagerProcess.StartAsync(Config($"""
            pagerduty_configs:
                  - routing_key: {DevHostFixture.RoutingKey}
                    url: {fixture.Host.BaseAddress}{Routes.PagerDutyEvents}
                    send_resolved: true
            """));

        var startsAt = DateTimeOffset.UtcNow;
        await alertmanager.PostAlertsAsync(Alert(name, startsAt, endsAt: null));
        var open = await Eventually.Get(() => fixture.FindIncidentAsync(i => i.Title.Contains(name, StringComparison.Ordinal), "open"), "the incident Alertmanager's PagerDuty receiver opened\n" + alertmanager.Output);
        Assert.Equal(DevHostFixture.PagerDutyIntegration, open.Integration);
        Assert.StartsWith("[FIRING:1]", open.Title);

        await alertmanager.PostAlertsAsync(Alert(name, startsAt, endsAt: DateTimeOffset.UtcNow.AddSeconds(-1)));
        var resolved = await Eventually.Get(() => fixture.FindIncidentAsync(i => i.Id == open.Id, "resolved"), "the incident resolved by Alertmanager\n" + alertmanager.Output);
        Assert.Equal(DevHostFixture.PagerDutyIntegration, resolved.ResolvedBy);
    }

    /// <summary>One receiver, grouping by alert name, flushing within a second so the test need not wait minutes.</summary>
    static string Config(string receiver) => $"""
        route:
          receiver: incidentfunctions
          group_by: [alertname]
          group_wait: 1s
          group_interval: 1s
          repeat_interval: 1h
        receivers:
          - name: incidentfunctions
            {receiver}
        """;

    static string Alert(string name, DateTimeOffset startsAt, DateTimeOffset? endsAt) => $$"""
        [{
          "labels": { "alertname": "{{name}}", "instance": "{{name}}", "job": "node", "severity": "critical" },
          "annotations": { "summary": "Disk almost full on {{name}}", "description": "Less than 5% free on /var." },
          "generatorURL": "http://prometheus.example.com:9090/graph?g0.expr=disk",
          "startsAt": "{{startsAt:O}}"{{(endsAt is { } end ? $", \"endsAt\": \"{end:O}\"" : string.Empty)}}
        }]
        """;
}
