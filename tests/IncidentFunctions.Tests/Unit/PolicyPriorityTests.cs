using IncidentFunctions.Model;
using IncidentFunctions.Policy;

namespace IncidentFunctions.Tests.Unit;

public sealed class PolicyPriorityTests
{
    [Theory]
    [InlineData(Severity.Critical, 1, Priority.P1)]
    [InlineData(Severity.Critical, 2, Priority.P2)]
    [InlineData(Severity.Critical, 3, Priority.P3)]
    [InlineData(Severity.High, 1, Priority.P2)]
    [InlineData(Severity.High, 2, Priority.P3)]
    [InlineData(Severity.High, 3, Priority.P4)]
    [InlineData(Severity.Warning, 1, Priority.P3)]
    [InlineData(Severity.Warning, 2, Priority.P4)]
    [InlineData(Severity.Warning, 3, Priority.P4)]
    [InlineData(Severity.Info, 1, Priority.P4)]
    [InlineData(Severity.Info, 2, Priority.P4)]
    [InlineData(Severity.Info, 3, Priority.P4)]
    public void PriorityFallsOneStepPerSeverityRankAndPerImpactTier(Severity severity, int tier, Priority expected) =>
        Assert.Equal(expected, Priorities.Of(severity, tier));

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void AnImpactTierOutsideOneToThreeIsAProgrammingError(int tier) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Priorities.Of(Severity.Critical, tier));
}
