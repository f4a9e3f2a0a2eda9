using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using IncidentFunctions.Ingestion;

namespace IncidentFunctions.Benchmarks;

/// <summary>The monitoring systems of a storm, one integration each.</summary>
public enum StormSource
{
    /// <summary>Generic JSON, one alert per request, secret as a bearer token.</summary>
    Generic,

    /// <summary>Generic JSON signed with Standard Webhooks: a re-sent delivery is recognised and counted once.</summary>
    Signed,

    /// <summary>Prometheus Alertmanager webhook (version 4): several alerts of a group per notification.</summary>
    Alertmanager,

    /// <summary>Grafana alerting webhook: as Alertmanager, plus Grafana's fields.</summary>
    Grafana,

    /// <summary>Azure Monitor common alert schema, one alert per notification, secret in the URL.</summary>
    AzureMonitor,

    /// <summary>PagerDuty Events API v2 triggers at /v2/enqueue; the routing key picks the integration.</summary>
    PagerDuty,
}

/// <summary>One HTTP request of the storm, kept byte for byte so that a redelivery repeats it exactly.</summary>
public sealed record StormRequest(
    StormSource Source,
    int Alerts,
    string PathAndQuery,
    byte[] Body,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    TimeSpan? RedeliverAfter)
{
    public HttpRequestMessage ToHttp(Uri baseAddress)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseAddress, PathAndQuery)) { Content = new ByteArrayContent(Body) };
        request.Content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
        foreach (var (name, value) in Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }
}

/// <summary>
/// What the monitoring systems send in a storm: <c>alerts</c> alerts over <c>keys</c> dedup keys, the keys dealt out
/// round-robin over the sources (key k always belongs to source k mod 6, so a key is one integration's and "one
/// incident per key" is well defined), and the alerts dealt round-robin over the keys. Alertmanager and Grafana gather up
/// to <c>batch</c> alerts of distinct keys per notification, as a group's notification carries each firing alert once;
/// the other formats carry one alert per request. Thread-safe: the senders share one instance.
/// </summary>
public sealed class StormTraffic
{
    public static readonly StormSource[] Sources = Enum.GetValues<StormSource>();

    readonly string runId;
    readonly int alerts;
    readonly int keys;
    readonly int batch;
    readonly double redeliver;
    readonly Random random;
    readonly Dictionary<StormSource, string> secrets;
    readonly Dictionary<StormSource, List<int>> gathering = new() { [StormSource.Alertmanager] = [], [StormSource.Grafana] = [] };
    readonly Queue<StormRequest> ready = new();
    int nextAlert;
    int requests;

    public StormTraffic(string runId, int alerts, int keys, int batch, double redeliver, int seed)
    {
        this.runId = runId;
        this.alerts = alerts;
        this.keys = keys;
        this.batch = batch;
        this.redeliver = redeliver;
        random = new Random(seed);
        secrets = Sources.ToDictionary(s => s, s => s switch
        {
            StormSource.Signed => StandardWebhooks.SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            // PagerDuty routing keys are 32 hex characters.
            StormSource.PagerDuty => RandomNumberGenerator.GetHexString(32, lowercase: true),
            _ => BenchStack.NewSecret(),
        });
    }

    public static string IntegrationOf(StormSource source) => "storm-" + source.ToString().ToLowerInvariant();

    public static StormSource SourceOf(int key) => Sources[key % Sources.Length];

    public string DedupKeyOf(int key) => $"{runId}-key-{key}";

    /// <summary>The dev host settings that configure every source's integration.</summary>
    public Dictionary<string, string> Settings() => Sources.SelectMany(source =>
    {
        var prefix = $"{IntegrationOptions.Section}__{IntegrationOf(source)}__";
        return new Dictionary<string, string>
        {
            [prefix + "Format"] = source switch
            {
                StormSource.Alertmanager => AlertFormats.Alertmanager,
                StormSource.Grafana => AlertFormats.Grafana,
                StormSource.AzureMonitor => AlertFormats.AzureMonitor,
                StormSource.PagerDuty => AlertFormats.PagerDuty,
                _ => AlertFormats.Generic,
            },
            [prefix + (source == StormSource.Signed ? "WebhookSecrets__0" : "Secrets__0")] = secrets[source],
        };
    }).ToDictionary();

    /// <summary>How many of the keys each source owns.</summary>
    public IReadOnlyDictionary<StormSource, int> KeysBySource() =>
        Enumerable.Range(0, keys).GroupBy(SourceOf).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>The next request, built now (a signature's timestamp is the time it is built); null when the storm is over.</summary>
    public StormRequest? Next()
    {
        lock (ready)
        {
            while (ready.Count == 0 && nextAlert < alerts)
            {
                var key = nextAlert++ % keys;
                var source = SourceOf(key);
                if (!gathering.TryGetValue(source, out var group))
                {
                    ready.Enqueue(Build(source, [key]));
                    continue;
                }

                if (group.Contains(key))
                {
                    ready.Enqueue(Build(source, group));
                    group.Clear();
                }

                group.Add(key);
                if (group.Count == batch)
                {
                    ready.Enqueue(Build(source, group));
                    group.Clear();
                }
            }

            if (ready.Count == 0)
            {
                foreach (var (source, group) in gathering.Where(g => g.Value.Count > 0))
                {
                    ready.Enqueue(Build(source, group));
                    group.Clear();
                }
            }

            return ready.TryDequeue(out var request) ? request : null;
        }
    }

    /// <summary>
    /// A redelivery follows its original within two seconds: the first copy is then usually still queued or being
    /// counted, so the two race through processing, which is where a duplicate would slip in.
    /// </summary>
    StormRequest Build(StormSource source, IReadOnlyList<int> group)
    {
        var sequence = requests++;
        var redeliverAfter = random.NextDouble() < redeliver ? TimeSpan.FromMilliseconds(random.Next(2000)) : (TimeSpan?)null;
        var now = DateTimeOffset.UtcNow;
        var secret = secrets[source];
        var body = Encoding.UTF8.GetBytes(source switch
        {
            StormSource.Generic or StormSource.Signed => GenericBody(group[0], now),
            StormSource.Alertmanager or StormSource.Grafana => AlertmanagerBody(source == StormSource.Grafana, group, now),
            StormSource.AzureMonitor => AzureMonitorBody(group[0], now),
            StormSource.PagerDuty => PagerDutyBody(secret, group[0], now),
            _ => throw new ArgumentOutOfRangeException(nameof(source)),
        });
        var alertsPath = Routes.Alerts.Replace("{integration}", IntegrationOf(source), StringComparison.Ordinal);
        var (path, headers) = source switch
        {
            StormSource.Signed => (alertsPath, Sign(secret, $"msg_{runId}_{sequence}", now, body)),
            // Action groups cannot set headers: the secret travels in the URL.
            StormSource.AzureMonitor => ($"{alertsPath}?key={secret}", []),
            StormSource.PagerDuty => (Routes.PagerDutyEvents, []),
            _ => (alertsPath, (IReadOnlyList<KeyValuePair<string, string>>)[new("Authorization", "Bearer " + secret)]),
        };
        return new StormRequest(source, group.Count, path, body, headers, redeliverAfter);
    }

    /// <summary>Standard Webhooks v1: HMAC-SHA256 of "{id}.{timestamp}.{body}" with the secret's key.</summary>
    static IReadOnlyList<KeyValuePair<string, string>> Sign(string secret, string id, DateTimeOffset now, byte[] body)
    {
        var timestamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signed = Encoding.UTF8.GetBytes($"{id}.{timestamp}.").Concat(body).ToArray();
        var signature = HMACSHA256.HashData(StandardWebhooks.KeyOf(secret)!, signed);
        return
        [
            new(StandardWebhooks.IdHeader, id),
            new(StandardWebhooks.TimestampHeader, timestamp),
            new(StandardWebhooks.SignatureHeader, "v1," + Convert.ToBase64String(signature)),
        ];
    }

    static string Pick(int key, params string[] names) => names[key % names.Length];

    static string Iso(DateTimeOffset at) => at.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    string GenericBody(int key, DateTimeOffset now) => $$"""
        {"title":"Checkout latency above 2 s (storm key {{key}})","severity":"{{Pick(key, "critical", "high", "warning")}}","dedupKey":"{{DedupKeyOf(key)}}","source":"checkout-api-{{key}}","description":"p99 latency above 2 s for 5 minutes.","labels":{"service":"checkout","zone":"zone-{{key % 3}}"},"links":[{"href":"https://grafana.example.com/d/checkout","text":"Dashboard"}],"occurredAt":"{{Iso(now)}}"}
        """;

    string AlertmanagerBody(bool grafana, IReadOnlyList<int> group, DateTimeOffset now)
    {
        var items = group.Select(key => $$"""
            {"status":"firing","labels":{"alertname":"StormAlert","instance":"node-{{key}}:9100","job":"node","severity":"{{Pick(key, "critical", "warning")}}"},"annotations":{"summary":"Disk almost full on node-{{key}} (storm key {{key}})","description":"Less than 5% free on /var."},"startsAt":"{{Iso(now.AddMinutes(-5))}}","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prometheus.example.com:9090/graph?g0.expr=disk","fingerprint":"{{DedupKeyOf(key)}}"{{(grafana ? GrafanaAlertFields(key) : string.Empty)}}}
            """);
        return $$"""
            {"version":"{{(grafana ? "1" : "4")}}","groupKey":"{}:{alertname=\"StormAlert\"}","truncatedAlerts":0,"status":"firing","receiver":"incidentfunctions","groupLabels":{"alertname":"StormAlert"},"commonLabels":{"alertname":"StormAlert","job":"node"},"commonAnnotations":{},"externalURL":"http://alertmanager.example.com:9093"{{(grafana ? GrafanaNotificationFields : string.Empty)}},"alerts":[{{string.Join(",", items)}}]}
            """;
    }

    const string GrafanaNotificationFields = ",\"orgId\":1,\"title\":\"[FIRING] StormAlert\",\"state\":\"alerting\",\"message\":\"Firing\"";

    static string GrafanaAlertFields(int key) =>
        ",\"silenceURL\":\"https://grafana.example.com/alerting/silence/new?orgId=1\",\"dashboardURL\":\"https://grafana.example.com/d/node?orgId=1\"," +
        $"\"panelURL\":\"https://grafana.example.com/d/node?orgId=1&viewPanel=3\",\"values\":{{\"B\":{95 + key % 5},\"C\":1}}";

    string AzureMonitorBody(int key, DateTimeOffset now) => $$$"""
        {"schemaId":"azureMonitorCommonAlertSchema","data":{"essentials":{"alertId":"/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.AlertsManagement/alerts/{{{DedupKeyOf(key)}}}","alertRule":"High CPU (storm key {{{key}}})","severity":"{{{Pick(key, "Sev0", "Sev1", "Sev2")}}}","signalType":"Metric","monitorCondition":"Fired","monitoringService":"Platform","alertTargetIDs":["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-{{{key}}}"],"configurationItems":["vm-{{{key}}}"],"originAlertId":"{{{DedupKeyOf(key)}}}","firedDateTime":"{{{Iso(now)}}}","description":"CPU above 90% for 5 minutes","essentialsVersion":"1.0","alertContextVersion":"1.0"},"alertContext":{},"customProperties":{} } }
        """;

    string PagerDutyBody(string routingKey, int key, DateTimeOffset now) => $$$"""
        {"routing_key":"{{{routingKey}}}","event_action":"trigger","dedup_key":"{{{DedupKeyOf(key)}}}","payload":{"summary":"Queue depth above 10k (storm key {{{key}}})","source":"queue-{{{key}}}","severity":"{{{Pick(key, "critical", "error", "warning")}}}","timestamp":"{{{Iso(now)}}}","component":"orders","custom_details":{"depth":"{{{10_000 + key}}}"}},"links":[{"href":"https://grafana.example.com/d/queues","text":"Queues"}]}
        """;
}
