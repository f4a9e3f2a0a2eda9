using System.Text.Json;
using IncidentFunctions.Ingestion;

namespace IncidentFunctions.Tests.Unit;

public sealed class FingerprintTests
{
    static readonly Dictionary<string, string> NoLabels = [];

    static string DedupKeyOf(string json)
    {
        using var document = JsonDocument.Parse(json);
        var (alerts, errors) = GenericAlertFormat.Parse(document.RootElement, "grafana", "b", DateTimeOffset.UnixEpoch);
        Assert.Empty(errors);
        return Assert.Single(alerts).DedupKey;
    }

    [Fact]
    public void KeyIsPrefixedHexOfFixedLength()
    {
        var key = Fingerprint.Of("CPU high", "prometheus", NoLabels);

        Assert.StartsWith("fp:", key, StringComparison.Ordinal);
        Assert.Equal(3 + 32, key.Length);
        Assert.Matches("^fp:[0-9a-f]{32}$", key);
    }

    [Fact]
    public void SameInputGivesTheSameKey()
    {
        Assert.Equal(
            Fingerprint.Of("CPU high", "prometheus", new Dictionary<string, string> { ["host"] = "db1" }),
            Fingerprint.Of("CPU high", "prometheus", new Dictionary<string, string> { ["host"] = "db1" }));
    }

    [Fact]
    public void LabelOrderDoesNotChangeTheKey()
    {
        var first = DedupKeyOf("""{"title":"CPU high","severity":"high","source":"prom","labels":{"host":"db1","team":"storage","env":"prod"}}""");
        var second = DedupKeyOf("""{"title":"CPU high","severity":"high","source":"prom","labels":{"env":"prod","team":"storage","host":"db1"}}""");

        Assert.Equal(first, second);
    }

    [Fact]
    public void DifferentLabelValueGivesADifferentKey()
    {
        var first = DedupKeyOf("""{"title":"CPU high","severity":"high","labels":{"host":"db1"}}""");
        var second = DedupKeyOf("""{"title":"CPU high","severity":"high","labels":{"host":"db2"}}""");

        Assert.NotEqual(first, second);
    }

    [Fact]
    public void AnExtraLabelGivesADifferentKey()
    {
        var first = DedupKeyOf("""{"title":"CPU high","severity":"high","labels":{"host":"db1"}}""");
        var second = DedupKeyOf("""{"title":"CPU high","severity":"high","labels":{"host":"db1","env":"prod"}}""");

        Assert.NotEqual(first, second);
    }

    [Fact]
    public void DifferentTitleOrSourceGivesADifferentKey()
    {
        var baseline = Fingerprint.Of("CPU high", "prometheus", NoLabels);

        Assert.NotEqual(baseline, Fingerprint.Of("CPU low", "prometheus", NoLabels));
        Assert.NotEqual(baseline, Fingerprint.Of("CPU high", "zabbix", NoLabels));
        Assert.NotEqual(baseline, Fingerprint.Of("cpu high", "prometheus", NoLabels));
    }

    [Fact]
    public void DescriptionOccurredAtLinksAndSeverityDoNotAffectTheKey()
    {
        var first = DedupKeyOf("""
            {"title":"Disk full","severity":"warning","source":"prom","labels":{"host":"db1"},
             "description":"90% used","occurredAt":"2026-11-26T03:00:00Z","links":[{"href":"https://a.example"}]}
            """);
        var second = DedupKeyOf("""
            {"title":"Disk full","severity":"critical","source":"prom","labels":{"host":"db1"},
             "description":"99% used","occurredAt":"2026-11-27T18:45:00Z"}
            """);

        Assert.Equal(first, second);
    }

    [Fact]
    public void StatusDoesNotAffectTheKeySoAResolveFindsItsIncident()
    {
        var firing = DedupKeyOf("""{"title":"Disk full","severity":"warning","status":"firing"}""");
        var resolved = DedupKeyOf("""{"title":"Disk full","severity":"warning","status":"resolved"}""");

        Assert.Equal(firing, resolved);
    }

    [Fact]
    public void SurroundingWhitespaceInTheTitleDoesNotChangeTheKey()
    {
        Assert.Equal(Fingerprint.Of("Disk full", null, NoLabels), Fingerprint.Of("  Disk full\t", null, NoLabels));
        Assert.Equal(
            DedupKeyOf("""{"title":"Disk full","severity":"info"}"""),
            DedupKeyOf("""{"title":"  Disk full  ","severity":"info"}"""));
    }

    [Fact]
    public void TextShiftedBetweenTitleAndSourceDoesNotCollide()
    {
        Assert.NotEqual(Fingerprint.Of("ab", "c", NoLabels), Fingerprint.Of("b", "ca", NoLabels));
        Assert.NotEqual(Fingerprint.Of("b", "ac", NoLabels), Fingerprint.Of("cb", "a", NoLabels));
        Assert.NotEqual(Fingerprint.Of("ab", "c", NoLabels), Fingerprint.Of("b", "ac", NoLabels));
    }

    [Fact]
    public void TextShiftedBetweenLabelNameAndValueDoesNotCollide()
    {
        Assert.NotEqual(
            Fingerprint.Of("t", null, new Dictionary<string, string> { ["a"] = "bc" }),
            Fingerprint.Of("t", null, new Dictionary<string, string> { ["ab"] = "c" }));
    }

    [Fact]
    public void LabelNameAndValueSwappedDoNotCollide()
    {
        Assert.NotEqual(
            Fingerprint.Of("t", null, new Dictionary<string, string> { ["env"] = "prod" }),
            Fingerprint.Of("t", null, new Dictionary<string, string> { ["prod"] = "env" }));
    }

    [Fact]
    public void TextShiftedFromTheTitleIntoALabelDoesNotCollide()
    {
        Assert.NotEqual(
            Fingerprint.Of("x", "s", new Dictionary<string, string> { ["k"] = "v" }),
            Fingerprint.Of("x;1:k;1:v", "s", NoLabels));
        Assert.NotEqual(
            Fingerprint.Of("title", null, new Dictionary<string, string> { ["k"] = "v" }),
            Fingerprint.Of("title", "k", new Dictionary<string, string> { ["v"] = string.Empty }));
    }

    [Fact]
    public void SeparatorCharactersInsideFieldsDoNotCollide()
    {
        Assert.NotEqual(Fingerprint.Of("a;b", "c", NoLabels), Fingerprint.Of("b", "c;a", NoLabels));
        Assert.NotEqual(Fingerprint.Of("1:a;", string.Empty, NoLabels), Fingerprint.Of("a", "1:", NoLabels));
    }
}
