using System.Text.Json;
using IncidentFunctions.Validation;

namespace IncidentFunctions.Tests.Unit;

/// <summary>The one vocabulary every alert format and the policy parser report in.</summary>
public sealed class FieldReaderTests
{
    static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;

    static (T Value, IReadOnlyList<FieldError> Errors) Read<T>(Func<FieldReader, T> read)
    {
        var fields = new FieldReader();
        return (read(fields), fields.Errors);
    }

    [Theory]
    [InlineData("""{}""", "is required")]
    [InlineData("""{"t":null}""", "is required")]
    [InlineData("""{"t":1}""", "must be a string, not a number")]
    [InlineData("""{"t":["a"]}""", "must be a string, not an array")]
    [InlineData("""{"t":"  "}""", "must not be empty")]
    [InlineData("""{"t":"abcdef"}""", "must be at most 5 characters")]
    public void ARequiredStringNamesTheOneRuleItBreaksAtItsPath(string json, string rule)
    {
        var (value, errors) = Read(f => f.RequiredString(Json(json), "alerts[2]", "t", 5));

        Assert.Null(value);
        Assert.Equal([new FieldError("alerts[2].t", rule)], errors);
    }

    [Fact]
    public void AnOptionalStringMayBeAbsentNullOrBlankUnlessBlankIsRefused()
    {
        var o = Json("""{"blank":" ","none":null}""");

        var (read, errors) = Read(f => (f.OptionalString(o, "", "missing", 5), f.OptionalString(o, "", "none", 5), f.OptionalString(o, "", "blank", 5)));
        Assert.Equal((null, null, " "), read);
        Assert.Empty(errors);

        var (refused, refusal) = Read(f => f.OptionalString(o, "", "blank", 5, allowBlank: false));
        Assert.Null(refused);
        Assert.Equal([new FieldError("blank", "must not be empty")], refusal);
    }

    [Fact]
    public void ItemsCarryTheirIndexedPathsAndAnEmptyListBreaksTheRuleGiven()
    {
        var (items, errors) = Read(f => f.Items(Json("""{"a":{"b":[1,2]}}""").GetProperty("a"), "a", "b"));
        Assert.Equal(["a.b[0]", "a.b[1]"], items.Select(i => i.Path));
        Assert.Empty(errors);

        var (_, empty) = Read(f => f.Items(Json("""{"b":[]}"""), "", "b", emptyRule: "must contain at least one alert"));
        Assert.Equal([new FieldError("b", "must contain at least one alert")], empty);

        var (_, wrong) = Read(f => f.Items(Json("""{"b":"x"}"""), "", "b", noun: "an array of strings"));
        Assert.Equal([new FieldError("b", "must be an array of strings, not a string")], wrong);
    }

    [Fact]
    public void AStrictObjectRefusesUnknownAndRepeatedNamesAndNamesTheRootDollar()
    {
        var (_, errors) = Read(f => f.StrictObject(Json("""{"id":"a","id":"b","idd":1}"""), "", ["id"]));
        Assert.Equal([new FieldError("id", "appears more than once"), new FieldError("idd", "unknown property; expected one of id")], errors);

        var (isObject, notObject) = Read(f => f.StrictObject(Json("[]"), "", null));
        Assert.False(isObject);
        Assert.Equal([new FieldError("$", "must be an object, not an array")], notObject);
    }

    [Theory]
    [InlineData("2026-11-26T03:00:00.123456789Z", false, 1234567L)]
    [InlineData("2026-11-26T03:00:00.5Z", false, 5000000L)]
    [InlineData("2026-11-26T04:00:00+01:00", false, 0L)]
    [InlineData("2026-11-26T03:00:00", false, null)]
    [InlineData("2026-11-26T03:00:00", true, 0L)]
    [InlineData("26/11/2026 03:00", true, null)]
    public void Rfc3339NeedsAnOffsetUnlessUtcIsAssumedAndCutsDigitsBelowATick(string text, bool assumeUtc, long? ticksPastThree)
    {
        Assert.Equal(ticksPastThree is not null, FieldReader.TryParseRfc3339(text, assumeUtc, out var at));
        if (ticksPastThree is { } ticks)
        {
            Assert.Equal(new DateTimeOffset(2026, 11, 26, 3, 0, 0, TimeSpan.Zero).AddTicks(ticks), at);
        }
    }

    [Fact]
    public void AWholeNumberOutOfRangeFallsBackAndSaysTheRange()
    {
        var (value, errors) = Read(f => f.Integer(Json("""{"n":11}"""), "p", "n", 0, 10, fallback: 3));

        Assert.Equal(3, value);
        Assert.Equal([new FieldError("p.n", "must be a whole number from 0 to 10")], errors);
    }
}
