using System.Collections.Concurrent;
using System.Text.Json;
using IncidentFunctions.DevHost.Local;
using IncidentFunctions.TestTools;

namespace IncidentFunctions.Benchmarks;

/// <summary>
/// Prometheus Alertmanager (Debian's package, 0.25) beside the app in the lifecycle benchmark: handed the same alerts
/// at the same moment and emailing the same MailDev, so that both first emails are measured on one machine in one run.
/// It is set to notify as fast as it can: every alert its own group (its alertname is the incident's title, which it
/// also puts in the subject), group_wait 0s, and an email receiver over plain SMTP to a recipient of its own.
/// </summary>
public sealed class AlertmanagerBeside : IAsyncDisposable
{
    /// <summary>The local part of the address Alertmanager emails, which tells its emails from the app's.</summary>
    public const string Recipient = "alertmanager";

    readonly AlertmanagerProcess process;
    readonly ConcurrentDictionary<int, DateTimeOffset> startsAt = new();

    AlertmanagerBeside(AlertmanagerProcess process) => this.process = process;

    public static async Task<AlertmanagerBeside> StartAsync(MailDevPorts mail)
    {
        var started = await AlertmanagerProcess.StartAsync($$$"""
            global:
              smtp_smarthost: 127.0.0.1:{{{mail.Smtp}}}
              smtp_from: alertmanager@localhost
              smtp_require_tls: false
            route:
              receiver: mail
              group_by: [alertname]
              group_wait: 0s
              group_interval: 5m
              repeat_interval: 4h
            receivers:
              - name: mail
                email_configs:
                  - to: {{{Recipient}}}@example.com
                    headers:
                      Subject: '{{ .CommonLabels.alertname }}'
            """);
        Report.Progress($"Alertmanager ready on 127.0.0.1:{started.Port}, emailing MailDev on SMTP {mail.Smtp}");
        return new AlertmanagerBeside(started);
    }

    /// <summary>Posts <paramref name="key"/>'s alert as Prometheus would (a repeat keeps its first start time).</summary>
    public Task PostAsync(string runId, int key, CancellationToken ct) => process.PostAlertsAsync(JsonSerializer.Serialize(new[]
    {
        new
        {
            labels = new Dictionary<string, string> { ["alertname"] = BenchAlerts.Title(runId, key), ["severity"] = "critical" },
            startsAt = startsAt.GetOrAdd(key, _ => DateTimeOffset.UtcNow),
        },
    }), ct);

    public ValueTask DisposeAsync() => process.DisposeAsync();
}
