using System.Text;
using System.Text.Json;
using IncidentFunctions.Http;
using IncidentFunctions.Tests.Infrastructure;
using Xunit.Abstractions;

namespace IncidentFunctions.Tests.Integration;

/// <summary>
/// Hostile bodies at every intake. Whatever arrives, the answer is never a 5xx: Alertmanager retries a 5xx forever and
/// an Azure Monitor action group stops calling after a few; a refusal is a 4xx in the intake's own shape.
/// </summary>
public sealed partial class AlertIntakeTests
{
    /// <summary>One valid body per format; with every Azure Monitor sample payload, the seeds the fuzzer mutates.</summary>
    static readonly (string Integration, string Body)[] Seeds =
    [
        (Integration, """[{"title":"Checkout latency above 2s","severity":"critical","source":"checkout-api","dedupKey":"k1","labels":{"service":"checkout"},"links":[{"href":"https://example.com/r","text":"Runbook"}],"occurredAt":"2026-11-26T03:00:00Z"}]"""),
        (AlertmanagerIntegration, """{"version":"4","groupKey":"{}:{alertname=\"A\"}","truncatedAlerts":0,"status":"firing","receiver":"r","groupLabels":{"alertname":"A"},"commonLabels":{"alertname":"A","severity":"critical"},"commonAnnotations":{"summary":"Disk full"},"externalURL":"http://am:9093","alerts":[{"status":"firing","labels":{"alertname":"A","instance":"db1","severity":"critical"},"annotations":{"summary":"Disk full on db1"},"startsAt":"2026-11-26T03:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prom/graph","fingerprint":"f1"}]}"""),
        (GrafanaIntegration, """{"receiver":"r","status":"firing","orgId":1,"alerts":[{"status":"firing","labels":{"alertname":"High CPU","grafana_folder":"Infra"},"annotations":{"summary":"CPU above 90%"},"startsAt":"2026-11-26T03:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://grafana/alerting/grafana/x/view","fingerprint":"c0ffee","silenceURL":"http://grafana/alerting/silence/new","dashboardURL":"http://grafana/d/abc","panelURL":"http://grafana/d/abc?viewPanel=1","values":{"B":91.5}}],"groupLabels":{"alertname":"High CPU"},"commonLabels":{"alertname":"High CPU"},"commonAnnotations":{},"externalURL":"http://grafana/","version":"1","groupKey":"{}:{alertname=\"High CPU\"}","truncatedAlerts":0,"title":"[FIRING:1] High CPU","state":"alerting","message":"CPU above 90%"}"""),
        (AzureMonitorIntegration, """{"schemaId":"azureMonitorCommonAlertSchema","data":{"essentials":{"alertId":"/subscriptions/s/providers/Microsoft.AlertsManagement/alerts/a1","alertRule":"cpu-high","severity":"Sev1","signalType":"Metric","monitorCondition":"Fired","monitoringService":"Platform","alertTargetIDs":["/subscriptions/s/resourcegroups/rg/providers/microsoft.compute/virtualmachines/vm1"],"configurationItems":["vm1"],"originAlertId":"s_rg_microsoft.insights_metricAlerts_cpu-high_1","firedDateTime":"2026-11-26T03:00:00.1234567Z","description":"CPU above 80%","essentialsVersion":"1.0","alertContextVersion":"1.0"},"alertContext":{},"customProperties":{"team":"infra"}}}"""),
        (PagerDutyIntegration, """{"routing_key":"ROUTING","event_action":"trigger","dedup_key":"srv01/HTTP","payload":{"summary":"DISK at 99% on srv01","source":"srv01","severity":"critical","component":"mysql","group":"prod","class":"disk","custom_details":{"free space":"1%"}},"links":[{"href":"https://example.com/disk","text":"Runbook"}]}"""),
    ];

    /// <summary>Byte sequences that are not UTF-8: a lone continuation, a truncated pair, an overlong slash, a surrogate, 0xFF.</summary>
    static readonly byte[][] InvalidUtf8 = [[0x80], [0xC3], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xFF], [0xF4, 0x90, 0x80, 0x80]];

    public static TheoryData<string, int> InvalidUtf8Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var (integration, _) in Seeds)
        {
            for (var i = 0; i < InvalidUtf8.Length; i++)
            {
                data.Add(integration, i);
            }
        }

        return data;
    }

    [Theory]
    [InlineData(Integration)]
    [InlineData(AlertmanagerIntegration)]
    [InlineData(GrafanaIntegration)]
    [InlineData(AzureMonitorIntegration)]
    [InlineData(PagerDutyIntegration)]
    public async Task AnEscapedLoneSurrogateInsideAJsonStringIsRefusedWith400InTheIntakesShapeAndEnqueuesNothing(string integration)
    {
        var seed = SeedBytes(integration);
        var at = Array.IndexOf(seed, (byte)'"', Array.IndexOf(seed, (byte)':')) + 1;
        var body = seed[..at].Concat(Encoding.ASCII.GetBytes("\\ud800")).Concat(seed[at..]).ToArray();

        var (status, contentType, answer) = await PostBytes(body, integration);

        Assert.Equal(400, status);
        AssertRefusalShape(integration, contentType, answer, "lone surrogate");
        Assert.Empty((await queue.PeekMessagesAsync(32)).Value);
    }

    [Theory]
    [MemberData(nameof(InvalidUtf8Cases))]
    public async Task InvalidUtf8InsideAJsonStringIsRefusedWith400InTheIntakesShapeAndEnqueuesNothing(string integration, int sequence)
    {
        var seed = SeedBytes(integration);
        // Inside the first string value after the first colon: the JSON stays well formed, only the text is not UTF-8.
        var at = Array.IndexOf(seed, (byte)'"', Array.IndexOf(seed, (byte)':')) + 1;
        var body = seed[..at].Concat(InvalidUtf8[sequence]).Concat(seed[at..]).ToArray();

        var (status, contentType, answer) = await PostBytes(body, integration);

        Assert.Equal(400, status);
        AssertRefusalShape(integration, contentType, answer, "invalid UTF-8");
        Assert.Empty((await queue.PeekMessagesAsync(32)).Value);
    }

    static IEnumerable<(string Integration, string Name, byte[] Body)> FuzzSeeds() =>
        Seeds.Select(s => (s.Integration, "inline", SeedBytes(s.Integration)))
            .Concat(AzureMonitorSamples.Names.Select(name => (AzureMonitorIntegration, name, Encoding.UTF8.GetBytes(AzureMonitorSamples.Read(name)))));

    [Fact]
    public async Task EverySeedOfTheFuzzerIsAccepted()
    {
        // A fuzzer whose seeds are refused would only ever test the refusal path.
        foreach (var (integration, name, body) in FuzzSeeds())
        {
            var (status, _, answer) = await PostBytes(body, integration);
            Assert.True(status == 202, $"{integration} {name}: {status} {Encoding.UTF8.GetString(answer)}");
        }
    }

    [Fact]
    public async Task RandomBytesTruncationsAndMutationsOfEveryFormatNeverGetA5xx()
    {
        const int PerSeed = 100;
        var random = new Random(20261203);
        var statuses = new Dictionary<int, int>();
        foreach (var (integration, name, seed) in FuzzSeeds())
        {
            for (var i = 0; i < PerSeed; i++)
            {
                var (kind, body) = Mutate(seed, random);
                var (status, contentType, answer) = await PostBytes(body, integration);
                var input = $"{integration} {name}, {kind}, body base64 {Convert.ToBase64String(body)}";
                Assert.True(status < 500, $"{status} for {input}");
                if (status >= 400)
                {
                    AssertRefusalShape(integration, contentType, answer, input);
                }

                statuses[status] = statuses.GetValueOrDefault(status) + 1;
            }
        }

        output.WriteLine(string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));
        // Both outcomes occur, so the mutations neither all break the seeds nor all leave them intact.
        Assert.Contains(202, statuses.Keys);
        Assert.Contains(400, statuses.Keys);
    }

    static (string Kind, byte[] Body) Mutate(byte[] seed, Random random)
    {
        switch (random.Next(6))
        {
            case 0:
                return ("random bytes", RandomBytes(random, random.Next(0, 2048)));
            case 1:
                return ("truncated", seed[..random.Next(0, seed.Length)]);
            case 2:
                var flipped = (byte[])seed.Clone();
                for (var n = random.Next(1, 8); n > 0; n--)
                {
                    flipped[random.Next(flipped.Length)] = (byte)random.Next(256);
                }

                return ("bytes replaced", flipped);
            case 3:
                var at = random.Next(seed.Length);
                return ("invalid UTF-8 inserted", [.. seed[..at], .. InvalidUtf8[random.Next(InvalidUtf8.Length)], .. seed[at..]]);
            case 4:
                var from = random.Next(seed.Length);
                var to = Math.Min(seed.Length, from + random.Next(1, 64));
                return ("span deleted", [.. seed[..from], .. seed[to..]]);
            default:
                // A JSON token of another type where a byte was: strings become numbers, objects arrays, and so on.
                string[] tokens = ["null", "0", "-1e309", "true", "[]", "{}", "\"\"", "\"\\ud800\"", "[[[[[[[[", "1.5", "\"\\u0000\""];
                var where = random.Next(seed.Length);
                return ("token inserted", [.. seed[..where], .. Encoding.UTF8.GetBytes(tokens[random.Next(tokens.Length)]), .. seed[(where + 1)..]]);
        }
    }

    static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    static byte[] SeedBytes(string integration) =>
        Encoding.UTF8.GetBytes(Seeds.Single(s => s.Integration == integration).Body.Replace("ROUTING", RoutingKey, StringComparison.Ordinal));

    /// <summary>The alert intake refuses with problem+json; the Events API as PagerDuty does, with status and errors.</summary>
    static void AssertRefusalShape(string integration, string? contentType, byte[] answer, string input)
    {
        var root = JsonDocument.Parse(answer).RootElement;
        if (integration == PagerDutyIntegration)
        {
            Assert.True(root.GetProperty("status").GetString() == "invalid event", input);
            Assert.True(root.GetProperty("errors").GetArrayLength() > 0, input);
        }
        else
        {
            Assert.True(contentType == Problem.ContentType, $"{contentType} for {input}");
            Assert.True(root.GetProperty("errors").EnumerateObject().Any(), input);
        }
    }
}
