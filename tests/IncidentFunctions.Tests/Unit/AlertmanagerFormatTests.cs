using System.Text.Json;
using IncidentFunctions.Ingestion;
using IncidentFunctions.Model;
using IncidentFunctions.Validation;

namespace IncidentFunctions.Tests.Unit;

public sealed class AlertmanagerFormatTests
{
    const string Integration = "prometheus";
    const string BatchId = "batch7";
    static readonly DateTimeOffset ReceivedAt = new(2026, 11, 26, 3, 5, 0, TimeSpan.Zero);

    /// <summary>A group of two firing alerts as Alertmanager 0.28 sends it to a webhook receiver.</summary>
    const string FiringBatch = """
        {
          "receiver": "incident-functions",
          "status": "firing",
          "alerts": [
            {
              "status": "firing",
              "labels": { "alertname": "HighLatency", "instance": "api-1:9090", "job": "api", "severity": "critical", "team": "payments" },
              "annotations": { "summary": "p99 latency above 2s on api-1", "description": "p99 latency has been 2.4s for 10 minutes.", "runbook_url": "https://runbooks.example.com/latency" },
              "startsAt": "2026-11-26T02:58:30.123456789Z",
              "endsAt": "0001-01-01T00:00:00Z",
              "generatorURL": "http://prometheus.example.com:9090/graph?g0.expr=histogram_quantile%280.99%2C+rate%28http_duration_seconds_bucket%5B5m%5D%29%29+%3E+2&g0.tab=1",
              "fingerprint": "b3c4f1a2d9e87f10"
            },
            {
              "status": "firing",
              "labels": { "alertname": "HighLatency", "instance": "api-2:9090", "job": "api", "severity": "critical", "team": "payments" },
              "annotations": { "summary": "p99 latency above 2s on api-2" },
              "startsAt": "2026-11-26T03:00:00+01:00",
              "endsAt": "0001-01-01T00:00:00Z",
              "generatorURL": "http://prometheus.example.com:9090/graph?g0.expr=up&g0.tab=1",
              "fingerprint": "0c7a55e1f3b2d4a9"
            }
          ],
          "groupLabels": { "alertname": "HighLatency" },
          "commonLabels": { "alertname": "HighLatency", "job": "api", "severity": "critical", "team": "payments" },
          "commonAnnotations": {},
          "externalURL": "http://alertmanager.example.com:9093",
          "version": "4",
          "groupKey": "{}/{team=\"payments\"}:{alertname=\"HighLatency\"}",
          "truncatedAlerts": 0
        }
        """;

    static (IReadOnlyList<Alert> Alerts, IReadOnlyList<FieldError> Errors) Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return AlertmanagerFormat.Parse(document.RootElement, Integration, BatchId, ReceivedAt);
    }

    static Alert SingleAlert(string alertJson)
    {
        var (alerts, errors) = Parse(Payload(alertJson));
        Assert.Empty(errors);
        return Assert.Single(alerts);
    }

    static string Payload(params string[] alerts) =>
        $$"""{"version":"4","status":"firing","receiver":"team-pager","groupKey":"{}:{}","truncatedAlerts":0,"alerts":[{{string.Join(",", alerts)}}]}""";

    static string Labelled(string labels, string annotations = "{}") =>
        $$"""{"status":"firing","labels":{{labels}},"annotations":{{annotations}},"startsAt":"2026-11-26T03:00:00Z","endsAt":"0001-01-01T00:00:00Z"}""";

    [Fact]
    public void FiringBatchGivesOneAlertPerAlertWithTheSendersFingerprintAsDedupKey()
    {
        var (alerts, errors) = Parse(FiringBatch);

        Assert.Empty(errors);
        Assert.Equal(2, alerts.Count);
        var first = alerts[0];
        Assert.Equal($"{BatchId}-0", first.Id);
        Assert.Equal($"{BatchId}-1", alerts[1].Id);
        Assert.Equal(Integration, first.Integration);
        Assert.Equal("b3c4f1a2d9e87f10", first.DedupKey);
        Assert.Equal("0c7a55e1f3b2d4a9", alerts[1].DedupKey);
        Assert.Equal("p99 latency above 2s on api-1", first.Title);
        Assert.Equal("p99 latency has been 2.4s for 10 minutes.", first.Description);
        Assert.Null(alerts[1].Description);
        Assert.Equal(Severity.Critical, first.Severity);
        Assert.Equal(AlertStatus.Firing, first.Status);
        Assert.Equal("api", first.Source);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["alertname"] = "HighLatency",
                ["instance"] = "api-1:9090",
                ["job"] = "api",
                ["severity"] = "critical",
                ["team"] = "payments",
                ["annotation.runbook_url"] = "https://runbooks.example.com/latency",
            },
            first.Labels);
        Assert.Equal(ReceivedAt, first.ReceivedAt);
    }

    [Fact]
    public void StartsAtWithNanosecondsOrAnOffsetBecomesOccurredAtInUtc()
    {
        var (alerts, _) = Parse(FiringBatch);

        Assert.Equal(new DateTimeOffset(2026, 11, 26, 2, 58, 30, TimeSpan.Zero).AddTicks(1_234_567), alerts[0].OccurredAt);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 2, 0, 0, TimeSpan.Zero), alerts[1].OccurredAt);
        Assert.Equal(TimeSpan.Zero, alerts[1].OccurredAt!.Value.Offset);
    }

    [Fact]
    public void GoZeroStartsAtMeansUnset()
    {
        var alert = SingleAlert("""{"status":"firing","labels":{"alertname":"A"},"startsAt":"0001-01-01T00:00:00Z"}""");

        Assert.Null(alert.OccurredAt);
    }

    [Fact]
    public void GeneratorUrlBecomesASourceLink()
    {
        var (alerts, _) = Parse(FiringBatch);

        Assert.Equal(
            [new AlertLink("http://prometheus.example.com:9090/graph?g0.expr=up&g0.tab=1", "Source")],
            alerts[1].Links);
    }

    [Theory]
    [InlineData("/graph?g0.expr=up")]
    [InlineData("prometheus:9090/graph")]
    [InlineData("ftp://prometheus.example.com/graph")]
    [InlineData("")]
    public void AGeneratorUrlThatIsNotAnAbsoluteHttpUrlIsSkippedNotRefused(string url)
    {
        var alert = SingleAlert($$"""{"status":"firing","labels":{"alertname":"A"},"generatorURL":"{{url}}"}""");

        Assert.Empty(alert.Links);
    }

    [Fact]
    public void ResolvedAlertKeepsItsFingerprintSoItClosesTheFiringOne()
    {
        var alert = SingleAlert("""
            {
              "status": "resolved",
              "labels": { "alertname": "HighLatency", "instance": "api-1:9090", "job": "api", "severity": "critical" },
              "annotations": { "summary": "p99 latency above 2s on api-1" },
              "startsAt": "2026-11-26T02:58:30.123Z",
              "endsAt": "2026-11-26T03:20:30.456Z",
              "generatorURL": "http://prometheus.example.com:9090/graph?g0.expr=up",
              "fingerprint": "b3c4f1a2d9e87f10"
            }
            """);

        Assert.Equal(AlertStatus.Resolved, alert.Status);
        Assert.Equal("b3c4f1a2d9e87f10", alert.DedupKey);
    }

    [Fact]
    public void WithoutFingerprintTheDedupKeyIsAHashOfTheLabelSetWhateverTheirOrder()
    {
        var one = SingleAlert(Labelled("""{"alertname":"DiskFull","instance":"db1","mountpoint":"/var"}"""));
        var reordered = SingleAlert(Labelled("""{"mountpoint":"/var","instance":"db1","alertname":"DiskFull"}""", """{"summary":"other words"}"""));
        var otherDisk = SingleAlert(Labelled("""{"alertname":"DiskFull","instance":"db1","mountpoint":"/home"}"""));

        Assert.Matches("^[0-9a-f]{32}$", one.DedupKey);
        Assert.Equal(one.DedupKey, reordered.DedupKey);
        Assert.NotEqual(one.DedupKey, otherDisk.DedupKey);
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("\"   \"")]
    [InlineData("null")]
    [InlineData("42")]
    public void AFingerprintThatIsNotAUsableKeyFallsBackToTheLabelSetKey(string fingerprint)
    {
        var alert = SingleAlert($$"""{"status":"firing","labels":{"alertname":"DiskFull"},"fingerprint":{{fingerprint}}}""");

        Assert.Equal(AlertmanagerFormat.LabelSetKey(new Dictionary<string, string> { ["alertname"] = "DiskFull" }), alert.DedupKey);
    }

    [Fact]
    public void LabelSetKeyCannotCollideByMovingTextBetweenNameAndValue()
    {
        var a = AlertmanagerFormat.LabelSetKey(new Dictionary<string, string> { ["ab"] = "c" });
        var b = AlertmanagerFormat.LabelSetKey(new Dictionary<string, string> { ["a"] = "bc" });

        Assert.NotEqual(a, b);
    }

    [Theory]
    [InlineData("critical", Severity.Critical)]
    [InlineData("CRITICAL", Severity.Critical)]
    [InlineData("page", Severity.Critical)]
    [InlineData("P1", Severity.Critical)]
    [InlineData("emergency", Severity.Critical)]
    [InlineData("alert", Severity.Critical)]
    [InlineData("high", Severity.High)]
    [InlineData("error", Severity.High)]
    [InlineData("Major", Severity.High)]
    [InlineData("p2", Severity.High)]
    [InlineData("warning", Severity.Warning)]
    [InlineData("warn", Severity.Warning)]
    [InlineData("minor", Severity.Warning)]
    [InlineData("p3", Severity.Warning)]
    [InlineData("info", Severity.Info)]
    [InlineData("informational", Severity.Info)]
    [InlineData("low", Severity.Info)]
    [InlineData("none", Severity.Info)]
    [InlineData("p4", Severity.Info)]
    [InlineData("p5", Severity.Info)]
    [InlineData("disaster", Severity.Warning)]
    [InlineData("", Severity.Warning)]
    public void SeverityLabelIsMappedCaseInsensitivelyAndUnknownIsWarning(string label, Severity expected)
    {
        var alert = SingleAlert(Labelled($$"""{"alertname":"A","severity":"{{label}}"}"""));

        Assert.Equal(expected, alert.Severity);
    }

    [Fact]
    public void SeverityFallsBackToTheAnnotationThenToWarning()
    {
        Assert.Equal(Severity.Info, SingleAlert(Labelled("""{"alertname":"A"}""", """{"severity":"info"}""")).Severity);
        Assert.Equal(Severity.Warning, SingleAlert(Labelled("""{"alertname":"A"}""")).Severity);
    }

    [Theory]
    [InlineData("""{"alertname":"DiskFull","instance":"db1"}""", """{"summary":"  Disk full on db1  "}""", "Disk full on db1")]
    [InlineData("""{"alertname":"DiskFull","instance":"db1"}""", """{"summary":""}""", "DiskFull on db1")]
    [InlineData("""{"alertname":"DiskFull"}""", "{}", "DiskFull")]
    [InlineData("""{"instance":"db1"}""", "{}", "Alertmanager alert")]
    [InlineData("{}", "{}", "Alertmanager alert")]
    public void TitleIsTheSummaryElseAlertnameOnInstanceElseAGenericName(string labels, string annotations, string expected)
    {
        Assert.Equal(expected, SingleAlert(Labelled(labels, annotations)).Title);
    }

    [Fact]
    public void DescriptionFallsBackToTheMessageAnnotation()
    {
        var alert = SingleAlert(Labelled("""{"alertname":"A"}""", """{"message":"queue is backing up"}"""));

        Assert.Equal("queue is backing up", alert.Description);
        Assert.Equal("queue is backing up", alert.Labels["annotation.message"]);
    }

    [Theory]
    [InlineData("""{"alertname":"A","job":"node"}""", "node")]
    [InlineData("""{"alertname":"A"}""", "team-pager")]
    public void SourceIsTheJobLabelElseTheReceiver(string labels, string expected)
    {
        Assert.Equal(expected, SingleAlert(Labelled(labels)).Source);
    }

    [Fact]
    public void SourceWithoutJobOrReceiverIsAlertmanager()
    {
        var (alerts, errors) = Parse("""{"version":"4","alerts":[{"status":"firing","labels":{"alertname":"A"}}]}""");

        Assert.Empty(errors);
        Assert.Equal("alertmanager", Assert.Single(alerts).Source);
    }

    [Fact]
    public void UnknownFieldsAreIgnored()
    {
        var alert = SingleAlert("""{"status":"firing","labels":{"alertname":"A"},"newField":{"x":[1,2]},"annotations":{"count":3}}""");

        Assert.Equal("A", alert.Title);
        Assert.DoesNotContain("annotation.count", alert.Labels.Keys);
    }

    [Fact]
    public void HugeStringsAreTruncatedNotRefused()
    {
        var huge = new string('x', 40_000);
        var alert = SingleAlert(Labelled(
            $$"""{"alertname":"A","big":"{{huge}}","{{new string('k', AlertLimits.MaxLabelKey + 1)}}":"v"}""",
            $$"""{"summary":"{{huge}}","description":"{{huge}}","note":"{{huge}}"}"""));

        Assert.Equal(AlertLimits.MaxTitle, alert.Title.Length);
        Assert.Equal(AlertLimits.MaxDescription, alert.Description!.Length);
        Assert.Equal(AlertLimits.MaxLabelValue, alert.Labels["big"].Length);
        Assert.Equal(AlertLimits.MaxLabelValue, alert.Labels["annotation.note"].Length);
        Assert.Equal(["alertname", "annotation.note", "big"], alert.Labels.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TruncationDoesNotSplitASurrogatePair()
    {
        var summary = new string('a', AlertLimits.MaxTitle - 1) + "😀";
        var alert = SingleAlert(Labelled("""{"alertname":"A"}""", $$"""{"summary":"{{summary}}"}"""));

        // The emoji does not fit beside the "…", and half of it is never kept: it is dropped whole.
        Assert.Equal(new string('a', AlertLimits.MaxTitle - 1) + "…", alert.Title);
    }

    [Fact]
    public void LabelsBeyondTheLimitAreDroppedInKeyOrderWithAnnotationsLast()
    {
        var labels = Enumerable.Range(0, AlertLimits.MaxLabels + 5).Reverse().Select(i => $"\"l{i:D3}\":\"v\"");
        var alert = SingleAlert(Labelled("{" + string.Join(",", labels) + "}", """{"runbook_url":"https://runbooks.example.com"}"""));

        Assert.Equal(AlertLimits.MaxLabels, alert.Labels.Count);
        Assert.Equal(
            Enumerable.Range(0, AlertLimits.MaxLabels).Select(i => $"l{i:D3}"),
            alert.Labels.Keys.Order(StringComparer.Ordinal));
    }

    public static TheoryData<string, string> MalformedPayloads => new()
    {
        { "[]", "body" },
        { "\"firing\"", "body" },
        { """{"alerts":[{"status":"firing"}]}""", "version" },
        { """{"version":"3","alerts":[{"status":"firing"}]}""", "version" },
        { """{"version":4,"alerts":[{"status":"firing"}]}""", "version" },
        { """{"version":"4"}""", "alerts" },
        { """{"version":"4","alerts":{"status":"firing"}}""", "alerts" },
        { """{"version":"4","alerts":[]}""", "alerts" },
        { Payload("\"firing\""), "alerts[0]" },
        { Payload("""{"status":"firing"}""", "null"), "alerts[1]" },
        { Payload("""{"labels":{"alertname":"A"}}"""), "alerts[0].status" },
        { Payload("""{"status":"pending","labels":{"alertname":"A"}}"""), "alerts[0].status" },
        { Payload("""{"status":1,"labels":{"alertname":"A"}}"""), "alerts[0].status" },
        { Payload("""{"status":"firing","labels":["alertname","A"]}"""), "alerts[0].labels" },
        { Payload("""{"status":"firing","labels":{"alertname":"A","replicas":3}}"""), "alerts[0].labels.replicas" },
        { Payload("""{"status":"firing","labels":{"alertname":"A"},"startsAt":"yesterday"}"""), "alerts[0].startsAt" },
        { Payload("""{"status":"firing","labels":{"alertname":"A"},"startsAt":"2026-11-26T03:00:00"}"""), "alerts[0].startsAt" },
        { Payload("""{"status":"firing","labels":{"alertname":"A"},"startsAt":1764126000}"""), "alerts[0].startsAt" },
        { Payload("""{"status":"firing"}""", """{"status":"firing"}""", """{"status":"bogus"}"""), "alerts[2].status" },
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
    public void MoreAlertsThanTheLimitAreRefusedWithAHintAboutMaxAlerts()
    {
        var alert = """{"status":"firing","labels":{"alertname":"A"}}""";
        var (alerts, errors) = Parse(Payload(Enumerable.Repeat(alert, GenericAlertFormat.MaxAlertsPerRequest + 1).ToArray()));

        Assert.Empty(alerts);
        var error = Assert.Single(errors);
        Assert.Equal("alerts", error.Field);
        Assert.Contains("max_alerts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExactlyTheLimitIsAccepted()
    {
        var alert = """{"status":"firing","labels":{"alertname":"A"}}""";
        var (alerts, errors) = Parse(Payload(Enumerable.Repeat(alert, GenericAlertFormat.MaxAlertsPerRequest).ToArray()));

        Assert.Empty(errors);
        Assert.Equal(GenericAlertFormat.MaxAlertsPerRequest, alerts.Count);
    }

    [Fact]
    public void EveryBrokenAlertIsReportedAndNoneIsAccepted()
    {
        var (alerts, errors) = Parse(Payload(
            """{"status":"firing","labels":{"alertname":"fine"}}""",
            """{"status":"pending","labels":{"alertname":"A"}}""",
            """{"status":"firing","labels":[],"startsAt":"soon"}"""));

        Assert.Empty(alerts);
        Assert.Equal(["alerts[1].status", "alerts[2].labels", "alerts[2].startsAt"], errors.Select(e => e.Field));
    }

    [Fact]
    public void ParseMatchesTheParserDelegate()
    {
        AlertParser parser = AlertmanagerFormat.Parse;
        using var document = JsonDocument.Parse(FiringBatch);

        Assert.Equal(2, parser(document.RootElement, Integration, BatchId, ReceivedAt).Alerts.Count);
    }
}
