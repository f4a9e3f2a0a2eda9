using IncidentFunctions.Incidents;

namespace IncidentFunctions.Tests.Unit;

public sealed class IncidentIdsTests
{
    const string Crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    static readonly DateTimeOffset Now = new(2026, 11, 26, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public void NewIdIsWellFormedAnd21CharactersLong()
    {
        var id = IncidentIds.New(Now);

        Assert.Equal(21, id.Length);
        Assert.Matches("^INC-20261126-[0-9A-HJKMNP-TV-Z]{8}$", id);
        Assert.True(IncidentIds.IsWellFormed(id), id);
    }

    [Fact]
    public void NewIdCarriesTheUtcDate()
    {
        // 09:30 on the 27th in UTC+14 is still the 26th in UTC; 23:30 on the 26th in UTC-5 is already the 27th.
        Assert.StartsWith("INC-20261126-", IncidentIds.New(new DateTimeOffset(2026, 11, 27, 9, 30, 0, TimeSpan.FromHours(14))), StringComparison.Ordinal);
        Assert.StartsWith("INC-20261127-", IncidentIds.New(new DateTimeOffset(2026, 11, 26, 23, 30, 0, TimeSpan.FromHours(-5))), StringComparison.Ordinal);
    }

    [Fact]
    public void AThousandNewIdsAreDistinctAndWellFormed()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => IncidentIds.New(Now)).ToList();

        Assert.Equal(1000, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id => Assert.True(IncidentIds.IsWellFormed(id), id));
    }

    [Fact]
    public void SuffixesUseTheWholeAlphabetAndNothingElse()
    {
        var used = Enumerable.Range(0, 1000).SelectMany(_ => IncidentIds.New(Now)[13..]).ToHashSet();

        // 8,000 draws from 32 symbols: every symbol turns up unless the generator is biased.
        Assert.Equal(Crockford.ToHashSet(), used);
    }

    [Theory]
    [InlineData("INC-20261126-7K3QX9MD")]
    [InlineData("INC-00000000-00000000")]
    [InlineData("INC-20261126-ZZZZZZZZ")]
    public void WellFormedIdsAreRecognised(string id)
    {
        Assert.True(IncidentIds.IsWellFormed(id));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("inc-20261126-7K3QX9MD")]
    [InlineData("INC-20261126-7k3qx9md")]
    [InlineData("INC-20261126-7K3QX9M")]
    [InlineData("INC-20261126-7K3QX9MDA")]
    [InlineData("INC-2026112-7K3QX9MDA")]
    [InlineData("XYZ-20261126-7K3QX9MD")]
    [InlineData("20261126-7K3QX9MD")]
    [InlineData("INC_20261126-7K3QX9MD")]
    [InlineData("INC-20261126_7K3QX9MD")]
    [InlineData("INC-2026112A-7K3QX9MD")]
    [InlineData("INC-20261126-7K3QX9M ")]
    [InlineData("INC-20261126-7K3QX9M-")]
    public void MalformedIdsAreRefused(string? id)
    {
        Assert.False(IncidentIds.IsWellFormed(id));
    }

    [Theory]
    [InlineData('I')]
    [InlineData('L')]
    [InlineData('O')]
    [InlineData('U')]
    public void LettersCrockfordLeavesOutAreRefusedInTheSuffix(char letter)
    {
        Assert.False(IncidentIds.IsWellFormed($"INC-20261126-7K3QX9M{letter}"));
        Assert.False(IncidentIds.IsWellFormed($"INC-20261126-{letter}K3QX9MD"));
    }
}
