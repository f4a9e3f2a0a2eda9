using System.Text.Json;
using IncidentFunctions.Lifecycle;

namespace IncidentFunctions.Tests.Unit;

/// <summary>An orchestration in flight replays as the revision it was started under (see IncidentLifecycleInput.Revision).</summary>
public sealed class IncidentLifecycleInputTests
{
    [Theory]
    [InlineData("""{"IncidentId":"INC-1"}""")]
    [InlineData("""{"incidentId":"INC-1","start":null}""")]
    public void AnInputStoredBeforeRevisionsExistedReadsAsRevisionZero(string stored)
    {
        var input = JsonSerializer.Deserialize<IncidentLifecycleInput>(stored, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

        Assert.Equal("INC-1", input.IncidentId);
        Assert.Equal(0, input.Revision);
    }

    [Fact]
    public void ANewInputKeepsItsRevisionThroughStorage()
    {
        var stored = JsonSerializer.Serialize(new IncidentLifecycleInput("INC-1", Revision: IncidentLifecycleInput.Current));

        Assert.Equal(IncidentLifecycleInput.Current, JsonSerializer.Deserialize<IncidentLifecycleInput>(stored, new JsonSerializerOptions(JsonSerializerDefaults.Web))!.Revision);
        Assert.True(IncidentLifecycleInput.Current >= 1);
    }
}
