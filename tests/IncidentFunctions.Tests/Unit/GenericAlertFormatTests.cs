using System.Text.Json;
using IncidentFunctions.Http;
using IncidentFunctions.Ingestion;
using IncidentFunctions.Model;
using IncidentFunctions.Validation;

namespace IncidentFunctions.Tests.Unit;

public sealed class GenericAlertFormatTests
{
    const string Integration = "grafana";
    const string BatchId = "batch42";
    static readonly DateTimeOffset ReceivedAt = new(2026, 11, 26, 3, 0, 0, TimeSpan.Zero);

    static (IReadOnlyList<Alert> Alerts, IReadOnlyList<FieldError> Errors) Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return GenericAlertFormat.Parse(document.RootElement, Integration, BatchId, ReceivedAt);
    }

    /// <summary>Parses input that must be refused with exactly one error, and returns that error.</summary>
    static FieldError SingleError(string json)
    {
        var (alerts, errors) = Parse(json);
        Assert.Empty(alerts);
        return Assert.Single(errors);
    }

    static string AlertJson(int index) => $$"""{"title":"alert {{index}}","severity":"info"}""";

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void AnEmptyDedupKeyIsRefusedRatherThanMergingUnrelatedAlerts(string key)
    {
        var error = SingleError($$"""{"title":"t","severity":"info","dedupKey":"{{key}}"}""");
        Assert.Equal("dedupKey", error.Field);
    }

    [Fact]
    public void ValidSingleAlertMapsEveryField()
    {
        var (alerts, errors) = Parse("""
            {
              "title": "  Disk almost full  ",
              "severity": "critical",
              "status": "resolved",
              "dedupKey": "disk-db1",
              "source": "prometheus",
              "description": "95% used on /var",
              "labels": { "team": "storage", "host": "db1" },
              "links": [ { "href": "https://grafana.example.com/d/1", "text": "Dashboard" }, { "href": "http://runbook.example.com/disk" } ],
              "occurredAt": "2026-11-26T04:30:00+01:00",
              "somethingUnknown": { "ignored": true }
            }
            """);

        Assert.Empty(errors);
        var alert = Assert.Single(alerts);
        Assert.Equal($"{BatchId}-0", alert.Id);
        Assert.Equal(Integration, alert.Integration);
        Assert.Equal("disk-db1", alert.DedupKey);
        Assert.Equal("Disk almost full", alert.Title);
        Assert.Equal(Severity.Critical, alert.Severity);
        Assert.Equal(AlertStatus.Resolved, alert.Status);
        Assert.Equal("prometheus", alert.Source);
        Assert.Equal("95% used on /var", alert.Description);
        Assert.Equal(new Dictionary<string, string> { ["team"] = "storage", ["host"] = "db1" }, alert.Labels);
        Assert.Equal(
            [new AlertLink("https://grafana.example.com/d/1", "Dashboard"), new AlertLink("http://runbook.example.com/disk", null)],
            alert.Links);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 3, 30, 0, TimeSpan.Zero), alert.OccurredAt);
        Assert.Equal(TimeSpan.Zero, alert.OccurredAt!.Value.Offset);
        Assert.Equal(ReceivedAt, alert.ReceivedAt);
    }

    [Fact]
    public void MinimalAlertDefaultsToFiringWithAFingerprintDedupKey()
    {
        var (alerts, errors) = Parse("""{"title":"CPU high","severity":"warning"}""");

        Assert.Empty(errors);
        var alert = Assert.Single(alerts);
        Assert.Equal(AlertStatus.Firing, alert.Status);
        Assert.StartsWith(Fingerprint.Prefix, alert.DedupKey, StringComparison.Ordinal);
        Assert.StartsWith("fp:", alert.DedupKey, StringComparison.Ordinal);
        Assert.Equal(Fingerprint.Of("CPU high", null, new Dictionary<string, string>()), alert.DedupKey);
        Assert.Null(alert.Source);
        Assert.Null(alert.Description);
        Assert.Null(alert.OccurredAt);
        Assert.Empty(alert.Labels);
        Assert.Empty(alert.Links);
    }

    [Fact]
    public void ExplicitNullOptionalFieldsAreTreatedAsAbsent()
    {
        var (alerts, errors) = Parse("""
            {"title":"t","severity":"info","status":null,"dedupKey":null,"source":null,"labels":null,"links":null,"occurredAt":null}
            """);

        Assert.Empty(errors);
        var alert = Assert.Single(alerts);
        Assert.Equal(AlertStatus.Firing, alert.Status);
        Assert.StartsWith("fp:", alert.DedupKey, StringComparison.Ordinal);
    }

    [Fact]
    public void ArrayOfAlertsGetsIdsFromBatchIdAndIndex()
    {
        var (alerts, errors) = Parse($"[{AlertJson(0)},{AlertJson(1)},{AlertJson(2)}]");

        Assert.Empty(errors);
        Assert.Equal(["batch42-0", "batch42-1", "batch42-2"], alerts.Select(a => a.Id));
        Assert.Equal(["alert 0", "alert 1", "alert 2"], alerts.Select(a => a.Title));
    }

    [Fact]
    public void ArrayOfExactlyTheMaximumIsAccepted()
    {
        var json = "[" + string.Join(",", Enumerable.Range(0, GenericAlertFormat.MaxAlertsPerRequest).Select(AlertJson)) + "]";

        var (alerts, errors) = Parse(json);

        Assert.Empty(errors);
        Assert.Equal(100, alerts.Count);
        Assert.Equal("batch42-99", alerts[^1].Id);
    }

    [Fact]
    public void MoreThanOneHundredAlertsAreRefused()
    {
        var json = "[" + string.Join(",", Enumerable.Range(0, 101).Select(AlertJson)) + "]";

        var error = SingleError(json);

        Assert.Equal("body", error.Field);
        Assert.Equal("must contain at most 100 alerts", error.Message);
    }

    [Fact]
    public void EmptyArrayIsRefused()
    {
        var error = SingleError("[]");

        Assert.Equal("body", error.Field);
        Assert.Equal("must contain at least one alert", error.Message);
    }

    [Theory]
    [InlineData("\"just a string\"")]
    [InlineData("42")]
    [InlineData("true")]
    [InlineData("null")]
    public void BodyThatIsNotAnObjectOrArrayIsRefused(string json)
    {
        var error = SingleError(json);

        Assert.Equal("body", error.Field);
        Assert.Equal("must be a JSON object (one alert) or an array of alerts", error.Message);
    }

    [Fact]
    public void ArrayItemThatIsNotAnObjectIsRefusedByIndex()
    {
        var error = SingleError($"[{AlertJson(0)},{AlertJson(1)},\"oops\"]");

        Assert.Equal("[2]", error.Field);
        Assert.Equal("must be an object", error.Message);
    }

    [Fact]
    public void MissingTitleIsRefusedNamingTheField()
    {
        var error = SingleError("""{"severity":"info"}""");

        Assert.Equal("title", error.Field);
        Assert.Equal("is required", error.Message);
    }

    [Fact]
    public void NullTitleIsRefusedAsMissing()
    {
        var error = SingleError("""{"title":null,"severity":"info"}""");

        Assert.Equal("title", error.Field);
        Assert.Equal("is required", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void EmptyOrBlankTitleIsRefused(string title)
    {
        var error = SingleError($$"""{"title":"{{title}}","severity":"info"}""");

        Assert.Equal("title", error.Field);
        Assert.Equal("must not be empty", error.Message);
    }

    [Fact]
    public void TitleOfTheMaximumLengthIsAcceptedAndOneMoreIsRefused()
    {
        var atLimit = new string('x', AlertLimits.MaxTitle);
        var (alerts, errors) = Parse($$"""{"title":"{{atLimit}}","severity":"info"}""");
        Assert.Empty(errors);
        Assert.Equal(atLimit, Assert.Single(alerts).Title);

        var error = SingleError($$"""{"title":"{{atLimit}}x","severity":"info"}""");
        Assert.Equal("title", error.Field);
        Assert.Equal("must be at most 1024 characters", error.Message);
    }

    [Fact]
    public void TitleAsNumberIsRefusedSayingItMustBeAString()
    {
        var error = SingleError("""{"title":12,"severity":"info"}""");

        Assert.Equal("title", error.Field);
        Assert.Equal("must be a string, not a number", error.Message);
    }

    [Theory]
    [InlineData("true", "must be a string, not a boolean")]
    [InlineData("{}", "must be a string, not an object")]
    [InlineData("[]", "must be a string, not an array")]
    public void SourceOfTheWrongTypeIsRefusedDescribingTheType(string value, string message)
    {
        var error = SingleError($$"""{"title":"t","severity":"info","source":{{value}}}""");

        Assert.Equal("source", error.Field);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void MissingSeverityIsRefused()
    {
        var error = SingleError("""{"title":"t"}""");

        Assert.Equal("severity", error.Field);
        Assert.Equal("is required", error.Message);
    }

    [Fact]
    public void UnknownSeverityIsRefusedListingTheAllowedValues()
    {
        var error = SingleError("""{"title":"t","severity":"disaster"}""");

        Assert.Equal("severity", error.Field);
        Assert.Equal("must be one of critical, high, warning, info", error.Message);
    }

    [Theory]
    [InlineData("CRITICAL", Severity.Critical)]
    [InlineData("High", Severity.High)]
    [InlineData("wArNiNg", Severity.Warning)]
    public void SeverityAcceptsAnyCase(string text, Severity expected)
    {
        var (alerts, errors) = Parse($$"""{"title":"t","severity":"{{text}}"}""");

        Assert.Empty(errors);
        Assert.Equal(expected, Assert.Single(alerts).Severity);
    }

    [Theory]
    [InlineData("\"1\"", "must be one of critical, high, warning, info")]
    [InlineData("\"0\"", "must be one of critical, high, warning, info")]
    [InlineData("1", "must be a string, not a number")]
    public void SeverityRefusesNumbers(string value, string message)
    {
        var error = SingleError($$"""{"title":"t","severity":{{value}}}""");

        Assert.Equal("severity", error.Field);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void UnknownStatusIsRefused()
    {
        var error = SingleError("""{"title":"t","severity":"info","status":"ok"}""");

        Assert.Equal("status", error.Field);
        Assert.Equal("must be one of firing, resolved, acknowledged", error.Message);
    }

    [Fact]
    public void StatusRefusesNumbers()
    {
        var error = SingleError("""{"title":"t","severity":"info","status":"1"}""");

        Assert.Equal("status", error.Field);
    }

    [Fact]
    public void LabelsThatAreNotAnObjectAreRefused()
    {
        var error = SingleError("""{"title":"t","severity":"info","labels":["team","storage"]}""");

        Assert.Equal("labels", error.Field);
        Assert.Equal("must be an object of strings, not an array", error.Message);
    }

    [Fact]
    public void LabelValueThatIsNotAStringIsRefusedNamingTheLabel()
    {
        var error = SingleError("""{"title":"t","severity":"info","labels":{"env":"prod","team":7}}""");

        Assert.Equal("labels.team", error.Field);
        Assert.Equal("must be a string, not a number", error.Message);
    }

    [Fact]
    public void TooManyLabelsAreRefused()
    {
        var labels = string.Join(",", Enumerable.Range(0, AlertLimits.MaxLabels + 1).Select(i => $"\"k{i}\":\"v\""));

        var error = SingleError("""{"title":"t","severity":"info","labels":{""" + labels + "}}");

        Assert.Equal("labels", error.Field);
        Assert.Equal("must have at most 64 entries", error.Message);
    }

    [Fact]
    public void LabelWithAnEmptyNameIsRefused()
    {
        var error = SingleError("""{"title":"t","severity":"info","labels":{"":"v"}}""");

        Assert.StartsWith("labels", error.Field, StringComparison.Ordinal);
        Assert.Equal("label names must be 1 to 128 characters", error.Message);
    }

    [Theory]
    [InlineData("/relative/path")]
    [InlineData("ftp://files.example.com/x")]
    [InlineData("javascript:alert(1)")]
    [InlineData("not a url")]
    public void LinkHrefThatIsNotAbsoluteHttpIsRefusedNamingTheIndex(string href)
    {
        var error = SingleError($$"""
            {"title":"t","severity":"info","links":[{"href":"https://ok.example.com"},{"href":"{{href}}"}]}
            """);

        Assert.Equal("links[1].href", error.Field);
        Assert.Equal("must be an absolute http or https URL", error.Message);
    }

    [Fact]
    public void LinkWithoutHrefIsRefusedNamingTheIndex()
    {
        var error = SingleError("""{"title":"t","severity":"info","links":[{"text":"no href"}]}""");

        Assert.Equal("links[0].href", error.Field);
        Assert.Equal("is required", error.Message);
    }

    [Fact]
    public void LinkThatIsNotAnObjectIsRefused()
    {
        var error = SingleError("""{"title":"t","severity":"info","links":["https://example.com"]}""");

        Assert.Equal("links[0]", error.Field);
    }

    [Fact]
    public void LinksThatAreNotAnArrayAreRefused()
    {
        var error = SingleError("""{"title":"t","severity":"info","links":{"href":"https://example.com"}}""");

        Assert.Equal("links", error.Field);
        Assert.Equal("must be an array, not an object", error.Message);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2026-13-45T99:00:00Z")]
    public void OccurredAtThatIsNotADateIsRefused(string value)
    {
        var error = SingleError($$"""{"title":"t","severity":"info","occurredAt":"{{value}}"}""");

        Assert.Equal("occurredAt", error.Field);
        Assert.StartsWith("must be an ISO 8601 date and time", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OccurredAtWithoutOffsetIsTakenAsUtc()
    {
        var (alerts, errors) = Parse("""{"title":"t","severity":"info","occurredAt":"2026-11-26T03:00:00"}""");

        Assert.Empty(errors);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 3, 0, 0, TimeSpan.Zero), Assert.Single(alerts).OccurredAt);
    }

    [Fact]
    public void EveryBrokenRuleOfOneAlertIsReported()
    {
        var (alerts, errors) = Parse("""{"severity":"nope","labels":{"team":1},"links":[{"href":"x"}]}""");

        Assert.Empty(alerts);
        Assert.Equal(["title", "severity", "labels.team", "links[0].href"], errors.Select(e => e.Field));
    }

    [Fact]
    public void ErrorsInAnArrayCarryTheIndexPrefix()
    {
        var (alerts, errors) = Parse("""
            [
              {"title":"fine","severity":"info"},
              {"severity":"info","labels":{"team":false},"links":[{"href":"https://a.example"},{"href":"b"}]}
            ]
            """);

        Assert.Empty(alerts);
        Assert.Equal(["[1].title", "[1].labels.team", "[1].links[1].href"], errors.Select(e => e.Field));
    }

    [Fact]
    public void OneInvalidAlertInAnArrayMeansNoAlertIsReturned()
    {
        var (alerts, errors) = Parse($"[{AlertJson(0)},{AlertJson(1)},{{\"title\":\"x\",\"severity\":\"bad\"}},{AlertJson(3)}]");

        Assert.Empty(alerts);
        var error = Assert.Single(errors);
        Assert.Equal("[2].severity", error.Field);
    }

    [Fact]
    public void ErrorsBecomeAValidationProblemKeyedByField()
    {
        var (_, errors) = Parse("""[{"severity":"info"},{"title":1,"severity":"info"}]""");

        var problem = Problem.Validation(errors);

        Assert.Equal(400, problem.Status);
        Assert.Equal("[0].title: is required (and 1 more)", problem.Detail);
        Assert.Equal(["[0].title", "[1].title"], problem.Errors!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["must be a string, not a number"], problem.Errors["[1].title"]);
    }
}
