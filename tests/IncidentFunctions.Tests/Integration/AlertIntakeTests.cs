using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using IncidentFunctions.Http;
using IncidentFunctions.Ingestion;
using IncidentFunctions.Model;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace IncidentFunctions.Tests.Integration;

/// <summary>The request path against a real queue (Azurite) that nothing drains, so its contents can be counted.</summary>
[Collection(AzuriteCollection.Name)]
public sealed partial class AlertIntakeTests(AzuriteFixture azurite, ITestOutputHelper output) : IAsyncLifetime
{
    const string Integration = "intake";
    const string Secret = "intake-secret-0123456789";
    const string Signed = "intake-signed";
    const string GrafanaSigned = "intake-grafana-hmac";
    const string AlertmanagerIntegration = "intake-am";
    const string GrafanaIntegration = "intake-grafana";
    const string AzureMonitorIntegration = "intake-azure";
    const string PagerDutyIntegration = "intake-pd";
    const string RoutingKey = "0f8e3c5b7a9d4e21b6c04f7a2d9e8b13";
    const string HmacSecret = "grafana-hmac-secret-0123";
    static readonly string WebhookSecret = "whsec_" + Convert.ToBase64String(Enumerable.Range(7, 32).Select(i => (byte)i).ToArray());
    ServiceProvider services = null!;
    QueueClient queue = null!;

    public async Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                [ConnectionNames.Storage] = azurite.ConnectionString,
                // The intake hands what it accepts to the processor, which pages; these tests read the queue instead.
                ["Email:Transport"] = "Smtp",
                ["Email:From"] = "incidents@example.com",
                ["Email:Smtp:Host"] = "127.0.0.1",
                ["Links:BaseUrl"] = "http://localhost:7071",
                ["Links:SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                [$"Integrations:{Integration}:Secrets:0"] = Secret,
                [$"Integrations:{Signed}:WebhookSecrets:0"] = WebhookSecret,
                [$"Integrations:{AlertmanagerIntegration}:Secrets:0"] = Secret,
                [$"Integrations:{AlertmanagerIntegration}:Format"] = AlertFormats.Alertmanager,
                [$"Integrations:{GrafanaIntegration}:Secrets:0"] = Secret,
                [$"Integrations:{GrafanaIntegration}:Format"] = AlertFormats.Grafana,
                [$"Integrations:{AzureMonitorIntegration}:Secrets:0"] = Secret,
                [$"Integrations:{AzureMonitorIntegration}:Format"] = AlertFormats.AzureMonitor,
                [$"Integrations:{PagerDutyIntegration}:Secrets:0"] = RoutingKey,
                [$"Integrations:{PagerDutyIntegration}:Format"] = AlertFormats.PagerDuty,
                [$"Integrations:{GrafanaSigned}:Format"] = AlertFormats.Grafana,
                [$"Integrations:{GrafanaSigned}:HmacSecrets:0"] = HmacSecret,
                [$"Integrations:{GrafanaSigned}:HmacTimestampHeader"] = HmacSignatures.GrafanaTimestampHeader,
            })
            .Build();
        services = new ServiceCollection().AddLogging().AddIncidentServices(configuration).BuildServiceProvider();
        queue = azurite.Queues.GetQueueClient(QueueNames.Alerts);
        await queue.ClearMessagesAsync();
    }

    public async Task DisposeAsync()
    {
        await queue.ClearMessagesAsync();
        await services.DisposeAsync();
    }

    [Theory]
    [InlineData("{\"title\":\"t\",\"severity\":\"info\"", "application/json", Secret, 400)]
    [InlineData("[{\"title\":\"ok\",\"severity\":\"info\"},{\"severity\":\"info\"}]", "application/json", Secret, 400)]
    [InlineData("{\"title\":\"t\",\"severity\":\"info\"}", "text/plain", Secret, 415)]
    [InlineData("{\"title\":\"t\",\"severity\":\"info\"}", "application/json", "not-the-secret", 401)]
    public async Task RefusedRequestsEnqueueNothing(string body, string contentType, string secret, int status)
    {
        var result = await Post(body, contentType, secret, Integration);

        Assert.Equal(status, result.StatusCode);
        Assert.Equal(Problem.ContentType, result.ContentType);
        Assert.Empty((await queue.PeekMessagesAsync(32)).Value);
    }

    /// <summary>
    /// Malformed payloads for every format: each must be refused with a 4xx problem naming what is wrong, and leave the
    /// queue empty. A 5xx would make Alertmanager retry it forever; anything enqueued would be half of a bad request.
    /// </summary>
    public static TheoryData<string, string, string> MalformedCorpus()
    {
        var deep = new string('[', 40) + new string(']', 40);
        var huge = "{\"title\":\"" + new string('x', RequestBody.MaxBytes) + "\",\"severity\":\"info\"}";
        const string AmAlert = """{"status":"firing","labels":{"alertname":"A"},"annotations":{},"startsAt":"2026-11-26T03:00:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"f1"}""";
        string Am(string version, string alerts) => $$"""{"version":"{{version}}","status":"firing","receiver":"r","groupKey":"g","alerts":{{alerts}}}""";
        string Azure(string schema, string essentials) => $$$"""{"schemaId":"{{{schema}}}","data":{"essentials":{{{essentials}}}}}""";
        const string Essentials = """{"alertId":"/a/1","alertRule":"cpu","severity":"Sev1","signalType":"Metric","monitorCondition":"Fired","firedDateTime":"2026-11-26T03:00:00Z"}""";
        var data = new TheoryData<string, string, string>();
        foreach (var format in new[] { Integration, AlertmanagerIntegration, GrafanaIntegration, AzureMonitorIntegration })
        {
            data.Add(format, "truncated JSON", "{\"title\":\"t\",\"severity\":");
            data.Add(format, "deep nesting", deep);
            data.Add(format, "too large", huge);
            data.Add(format, "a bare string", "\"alert\"");
            data.Add(format, "empty object", "{}");
        }

        data.Add(Integration, "wrong type", """{"title":42,"severity":"info"}""");
        data.Add(Integration, "missing severity", """{"title":"t"}""");
        data.Add(Integration, "unknown severity", """{"title":"t","severity":"sev1"}""");
        data.Add(Integration, "empty dedup key", """{"title":"t","severity":"info","dedupKey":""}""");
        data.Add(AlertmanagerIntegration, "unknown version", Am("3", $"[{AmAlert}]"));
        data.Add(AlertmanagerIntegration, "alerts not an array", Am("4", "{}"));
        data.Add(AlertmanagerIntegration, "alert status unknown", Am("4", $"[{AmAlert.Replace("\"firing\"", "\"pending\"")}]"));
        data.Add(AlertmanagerIntegration, "labels of numbers", Am("4", $"[{AmAlert.Replace("\"A\"", "1")}]"));
        data.Add(GrafanaIntegration, "no alerts", """{"version":"1","status":"firing","receiver":"r","alerts":[]}""");
        data.Add(AzureMonitorIntegration, "unknown schema id", Azure("Microsoft.Insights/activityLogs", Essentials));
        data.Add(AzureMonitorIntegration, "unknown severity", Azure("azureMonitorCommonAlertSchema", Essentials.Replace("Sev1", "Sev9")));
        data.Add(AzureMonitorIntegration, "missing alert id", Azure("azureMonitorCommonAlertSchema", Essentials.Replace("\"alertId\":\"/a/1\",", string.Empty)));
        data.Add(AzureMonitorIntegration, "condition of a number", Azure("azureMonitorCommonAlertSchema", Essentials.Replace("\"Fired\"", "1")));
        return data;
    }

    [Theory]
    [MemberData(nameof(MalformedCorpus))]
    public async Task AMalformedPayloadOfAnyFormatIsRefusedWith4xxAndEnqueuesNothing(string integration, string fault, string body)
    {
        var result = await Post(body, "application/json", Secret, integration);

        Assert.True(result.StatusCode is >= 400 and < 500, $"{fault}: {result.StatusCode}");
        Assert.Equal(Problem.ContentType, result.ContentType);
        Assert.Empty((await queue.PeekMessagesAsync(32)).Value);
    }

    [Theory]
    [InlineData("truncated JSON", "{\"routing_key\":")]
    [InlineData("deep nesting", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]")]
    [InlineData("wrong routing key", """{"routing_key":"not-a-configured-key-0000","event_action":"resolve","dedup_key":"k"}""")]
    [InlineData("a secret of another format", """{"routing_key":"intake-secret-0123456789","event_action":"resolve","dedup_key":"k"}""")]
    [InlineData("unknown action", """{"routing_key":"ROUTING","event_action":"snooze","dedup_key":"k"}""")]
    [InlineData("trigger without payload", """{"routing_key":"ROUTING","event_action":"trigger"}""")]
    [InlineData("severity of a number", """{"routing_key":"ROUTING","event_action":"trigger","payload":{"summary":"s","source":"h","severity":1}}""")]
    public async Task AMalformedEventsApiEventIsRefusedInPagerDutysShapeAndEnqueuesNothing(string fault, string body)
    {
        var (status, _, response) = await PostBytes(Encoding.UTF8.GetBytes(body.Replace("ROUTING", RoutingKey, StringComparison.Ordinal)), PagerDutyIntegration);

        Assert.True(status is >= 400 and < 500, $"{fault}: {status}");
        var answer = JsonDocument.Parse(response).RootElement;
        Assert.Equal("invalid event", answer.GetProperty("status").GetString());
        Assert.NotEmpty(answer.GetProperty("errors").EnumerateArray());
        Assert.Empty((await queue.PeekMessagesAsync(32)).Value);
    }

    [Fact]
    public async Task AHandedOffMessageIsHiddenFromTheQueueTriggerAndShownToItAtOnceWhenProcessingFails()
    {
        var payloads = services.GetRequiredService<AlertPayloads>();
        var alert = TestAlerts.Firing(Integration, TestAlerts.NewKey());
        var enqueued = await payloads.TryEnqueueAsync(new AlertBatch(alert.Id, Integration, alert.ReceivedAt, [alert]), handOff: true, CancellationToken.None);

        Assert.True(enqueued.Stored);
        var queued = Assert.IsType<QueuedMessage>(enqueued.HandOff);
        Assert.Empty((await queue.PeekMessagesAsync(32)).Value);

        // Processing in this process fails: the queue trigger must not wait out the 30 s the message was hidden for.
        services.GetRequiredService<AlertHandoff>().Start(queued, new BrokenLifecycle());
        var shown = await Eventually.Get(
            async () => (await queue.PeekMessagesAsync(32)).Value.SingleOrDefault(), "the message shown to the trigger", AlertHandoff.Hidden / 3);
        Assert.Equal(queued.MessageId, shown.MessageId);
    }

    /// <summary>The Durable backend down: an incident's orchestration cannot start.</summary>
    sealed class BrokenLifecycle : IIncidentLifecycle
    {
        public Task<bool> EnsureStartedAsync(string incidentId, OpeningDone? opening, CancellationToken ct) =>
            throw new InvalidOperationException("The task hub is unavailable.");

        public Task SignalAsync(string incidentId, LifecycleSignal signal, CancellationToken ct) =>
            throw new InvalidOperationException("The task hub is unavailable.");
    }

    [Fact]
    public async Task ConcurrentRequestsShareMessagesYetEachLandsWholeAndOnce()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            Post($"[{{\"title\":\"a{i}\",\"severity\":\"info\",\"dedupKey\":\"k{i}\"}},{{\"title\":\"b{i}\",\"severity\":\"info\",\"dedupKey\":\"k{i}\"}}]",
                "application/json", Secret, Integration)));
        Assert.All(results, r => Assert.Equal(202, r.StatusCode));

        var batches = new List<AlertBatch>();
        var messages = 0;
        while ((await queue.ReceiveMessagesAsync(32)).Value is { Length: > 0 } received)
        {
            foreach (var message in received)
            {
                messages++;
                batches.AddRange(await services.GetRequiredService<AlertPayloads>().ResolveAsync(AlertPayloads.Parse(message.Body.ToString()), CancellationToken.None));
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }

        Assert.Equal(40, batches.Count);
        Assert.Equal(40, batches.Select(b => b.Id).Distinct().Count());
        Assert.All(batches, b => Assert.Equal(2, b.Alerts.Count));
        Assert.InRange(messages, 1, 40);
    }

    [Fact]
    public async Task ABatchTooLargeForAQueueMessageTravelsThroughABlob()
    {
        var description = new string('d', AlertLimits.MaxDescription);
        var alerts = Enumerable.Range(0, 8).Select(i => new { title = $"big {i}", severity = "warning", description });
        var result = await Post(JsonSerializer.Serialize(alerts), "application/json", Secret, Integration);
        Assert.Equal(202, result.StatusCode);

        var message = Assert.Single((await queue.ReceiveMessagesAsync(32)).Value);
        var parsed = AlertPayloads.Parse(message.Body.ToString());
        Assert.NotNull(parsed.PayloadBlob);
        var batch = Assert.Single(await services.GetRequiredService<AlertPayloads>().ResolveAsync(parsed, CancellationToken.None));
        Assert.Equal(8, batch.Alerts.Count);
        Assert.All(batch.Alerts, a => Assert.Equal(description, a.Description));
    }

    const string SignedBody = "{\"title\":\"signed\",\"severity\":\"info\",\"dedupKey\":\"sw\"}";

    static Dictionary<string, string> SignedHeaders(string id, DateTimeOffset at, string body = SignedBody)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var mac = System.Security.Cryptography.HMACSHA256.HashData(
            Convert.FromBase64String(WebhookSecret["whsec_".Length..]), Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}"));
        return new() { ["webhook-id"] = id, ["webhook-timestamp"] = timestamp, ["webhook-signature"] = "v1," + Convert.ToBase64String(mac) };
    }

    [Fact]
    public async Task SignedRequestIsEnqueuedWithoutThePlainSecret()
    {
        var (status, _, body) = await PostSigned(SignedHeaders("msg_one", DateTimeOffset.UtcNow));

        Assert.Equal(202, status);
        Assert.Single(JsonDocument.Parse(body).RootElement.GetProperty("alertIds").EnumerateArray());
        Assert.Single((await queue.PeekMessagesAsync(32)).Value);
    }

    [Theory]
    [InlineData("webhook-signature", "tampered")]
    [InlineData("webhook-timestamp", "stale")]
    [InlineData("webhook-id", "missing")]
    public async Task RefusedSignedRequestsEnqueueNothingAndNameTheHeader(string header, string fault)
    {
        var headers = SignedHeaders("msg_two", fault == "stale" ? DateTimeOffset.UtcNow.AddMinutes(-6) : DateTimeOffset.UtcNow);
        var body = SignedBody;
        switch (fault)
        {
            case "tampered":
                body = SignedBody.Replace("info", "critical", StringComparison.Ordinal);
                break;
            case "missing":
                headers.Remove(header);
                break;
        }

        var (status, contentType, response) = await PostSigned(headers, body);

        Assert.Equal(401, status);
        Assert.Equal(Problem.ContentType, contentType);
        var problem = JsonDocument.Parse(response).RootElement;
        Assert.Equal("urn:incidentfunctions:problem:signature", problem.GetProperty("type").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(header, out _), response);
        Assert.DoesNotContain(headers.GetValueOrDefault("webhook-signature", "-"), response, StringComparison.Ordinal);
        Assert.Empty((await queue.PeekMessagesAsync(32)).Value);
    }

    [Fact]
    public async Task TheSameSignedDeliveryTwiceYieldsTheSameAlertIdsAndRowKeys()
    {
        var headers = SignedHeaders("msg_" + Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow.AddSeconds(-30));

        var first = await PostSigned(headers);
        var second = await PostSigned(headers);
        var other = await PostSigned(SignedHeaders("msg_" + Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow));

        Assert.All(new[] { first, second, other }, r => Assert.Equal(202, r.Status));
        Assert.Equal(AlertIds(first.Body), AlertIds(second.Body));
        Assert.NotEqual(AlertIds(first.Body), AlertIds(other.Body));

        var alerts = new List<Alert>();
        while ((await queue.ReceiveMessagesAsync(32)).Value is { Length: > 0 } received)
        {
            foreach (var message in received)
            {
                var batches = await services.GetRequiredService<AlertPayloads>().ResolveAsync(AlertPayloads.Parse(message.Body.ToString()), CancellationToken.None);
                alerts.AddRange(batches.SelectMany(b => b.Alerts));
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }

        // What the processor counts by: the same row key means the redelivery is recognised as already counted.
        var rowKeys = alerts.Select(IncidentFunctions.Incidents.AlertEntity.RowKeyOf).ToList();
        Assert.Equal(3, rowKeys.Count);
        Assert.Equal(2, rowKeys.Distinct().Count());
    }

    const string GrafanaBody = """
        {"receiver":"incidents","status":"firing","orgId":1,"version":"1","groupKey":"{}:{alertname=\"DiskFull\"}","truncatedAlerts":0,
         "groupLabels":{},"commonLabels":{},"commonAnnotations":{},"externalURL":"https://grafana.example.com/",
         "alerts":[{"status":"firing","labels":{"alertname":"DiskFull","severity":"critical"},"annotations":{"summary":"Disk full"},
                    "startsAt":"2026-11-26T03:00:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"a1b2c3d4e5f60718"}]}
        """;

    static Dictionary<string, string> GrafanaHeaders(DateTimeOffset at, string body = GrafanaBody, string secret = HmacSecret)
    {
        var stamp = at.ToUnixTimeSeconds().ToString();
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{stamp}:{body}")));
        return new() { [HmacSignatures.DefaultHeader] = signature, [HmacSignatures.GrafanaTimestampHeader] = stamp };
    }

    [Fact]
    public async Task AGrafanaWebhookSignedWithItsHmacSecretIsEnqueued()
    {
        var (status, _, body) = await PostSigned(GrafanaHeaders(DateTimeOffset.UtcNow), GrafanaBody, GrafanaSigned);

        Assert.True(status == 202, body);
        Assert.Single((await queue.PeekMessagesAsync(32)).Value);
    }

    [Theory]
    [InlineData("wrong secret", HmacSignatures.DefaultHeader)]
    [InlineData("stale", HmacSignatures.GrafanaTimestampHeader)]
    [InlineData("plain secret instead", HmacSignatures.DefaultHeader)]
    public async Task AGrafanaWebhookWithABadSignatureIsRefusedAndEnqueuesNothing(string fault, string header)
    {
        var headers = fault switch
        {
            "wrong secret" => GrafanaHeaders(DateTimeOffset.UtcNow, secret: "someone-elses-secret-0000"),
            "stale" => GrafanaHeaders(DateTimeOffset.UtcNow.AddMinutes(-10)),
            _ => new Dictionary<string, string> { ["Authorization"] = "Bearer " + HmacSecret, [HmacSignatures.GrafanaTimestampHeader] = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString() },
        };

        var (status, contentType, response) = await PostSigned(headers, GrafanaBody, GrafanaSigned);

        Assert.Equal(401, status);
        Assert.Equal(Problem.ContentType, contentType);
        Assert.True(JsonDocument.Parse(response).RootElement.GetProperty("errors").TryGetProperty(header, out _), response);
        Assert.DoesNotContain(HmacSecret, response, StringComparison.Ordinal);
        Assert.Empty((await queue.PeekMessagesAsync(32)).Value);
    }

    static List<string> AlertIds(string body) =>
        JsonDocument.Parse(body).RootElement.GetProperty("alertIds").EnumerateArray().Select(e => e.GetString()!).ToList();

    async Task<(int Status, string? ContentType, string Body)> PostSigned(Dictionary<string, string> headers, string body = SignedBody, string integration = Signed)
    {
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = "POST";
        context.Request.ContentType = "application/json";
        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }

        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        var response = new MemoryStream();
        context.Response.Body = response;
        var result = await services.GetRequiredService<AlertIntake>().AcceptAsync(context.Request, integration, lifecycle: null, CancellationToken.None);
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        return (context.Response.StatusCode, context.Response.ContentType?.Split(';')[0], Encoding.UTF8.GetString(response.ToArray()));
    }

    async Task<(int StatusCode, string? ContentType)> Post(string body, string contentType, string secret, string integration)
    {
        var (status, type, _) = await PostBytes(Encoding.UTF8.GetBytes(body), integration, contentType, secret);
        return (status, type);
    }

    /// <summary>
    /// Posts raw bytes to the intake of <paramref name="integration"/>, or to the Events API endpoint when it is
    /// <see cref="PagerDutyIntegration"/> (the routing key in the body is the credential there).
    /// </summary>
    async Task<(int StatusCode, string? ContentType, byte[] Body)> PostBytes(
        byte[] body, string integration, string contentType = "application/json", string secret = Secret)
    {
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = "POST";
        context.Request.ContentType = contentType;
        context.Request.Headers.Authorization = "Bearer " + secret;
        context.Request.Body = new MemoryStream(body);
        var response = new MemoryStream();
        context.Response.Body = response;
        var result = integration == PagerDutyIntegration
            ? await services.GetRequiredService<PagerDutyIntake>().AcceptAsync(context.Request, lifecycle: null, CancellationToken.None)
            : await services.GetRequiredService<AlertIntake>().AcceptAsync(context.Request, integration, lifecycle: null, CancellationToken.None);
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        return (context.Response.StatusCode, context.Response.ContentType?.Split(';')[0], response.ToArray());
    }
}
