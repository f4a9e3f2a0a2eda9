using IncidentFunctions.Opening;

namespace IncidentFunctions.Tests.Unit;

public sealed class FlappingTests
{
    static readonly DateTimeOffset T0 = new(2026, 11, 26, 3, 0, 0, TimeSpan.Zero);
    static readonly TimeSpan Window = TimeSpan.FromMinutes(30);

    static string Openings(params int[] minutes)
    {
        string? stored = null;
        foreach (var m in minutes)
        {
            stored = Flapping.Serialize(Flapping.Record(stored, T0.AddMinutes(m), Window, keep: 3));
        }

        return stored!;
    }

    [Fact]
    public void TheThirdOpeningWithinTheWindowIsFlappingAndHoldsPagingForTheWindow()
    {
        Assert.Null(Flapping.Of(Openings(0), Window, threshold: 3));
        Assert.Null(Flapping.Of(Openings(0, 10), Window, threshold: 3));

        var flapping = Flapping.Of(Openings(0, 10, 20), Window, threshold: 3);

        Assert.Equal((3, T0.AddMinutes(50)), flapping);
    }

    [Fact]
    public void OpeningsOlderThanTheWindowAreForgotten()
    {
        Assert.Null(Flapping.Of(Openings(0, 10, 45), Window, threshold: 3));
        Assert.NotNull(Flapping.Of(Openings(0, 10, 45, 50, 55), Window, threshold: 3));
    }

    [Fact]
    public void OnlyTheLastFewOpeningsAreKeptSoTheKeyRowStaysSmall()
    {
        var stored = Openings(0, 1, 2, 3, 4, 5, 6);

        Assert.Equal([T0.AddMinutes(4), T0.AddMinutes(5), T0.AddMinutes(6)], System.Text.Json.JsonSerializer.Deserialize<List<DateTimeOffset>>(stored));
    }

    [Fact]
    public void AThresholdOfZeroTurnsDetectionOff()
    {
        Assert.Null(Flapping.Of(Openings(0, 1, 2), Window, threshold: 0));
    }
}
