using System.Net;
using IncidentFunctions.DevHost.Local;
using IncidentFunctions.Tests.Infrastructure;

namespace IncidentFunctions.Tests.EndToEnd;

/// <summary>The README's walk-through still works on a dev host with integrations of its own (the fixture's).</summary>
[Collection(DevHostCollection.Name)]
public sealed class DevHostDemoIntegrationTests(DevHostFixture fixture)
{
    [Fact]
    public async Task TheDemoIntegrationTakesAlertsBesideConfiguredIntegrations()
    {
        var demoKey = File.ReadAllText(Path.Combine(fixture.DataFolder, "demo-key")).Trim();
        var key = TestAlerts.NewKey("demo");

        using var response = await fixture.PostAlertAsync(DevHostPipelineTests.Alert(key, "Demo beside configured integrations"), demoKey, LocalSettings.DemoIntegration);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Contains($"Demo key     {demoKey}", fixture.Host.Output, StringComparison.Ordinal);
        await Eventually.Get(() => fixture.FindIncidentAsync(key, "open"), "the demo alert's incident");
    }
}
