using System.Net;
using System.Text.Json.Nodes;
using IncidentFunctions.ApiDescription;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.OpenApi;

namespace IncidentFunctions.Tests.EndToEnd;

/// <summary>The dev host serves the API's OpenAPI document to anyone, and it gives away nothing of the host's configuration.</summary>
[Collection(DevHostCollection.Name)]
public sealed class DevHostApiDocumentTests(DevHostFixture fixture)
{
    [Fact]
    public async Task TheDevHostServesTheGeneratedDocumentWithoutSignIn()
    {
        // No principal header: the fixture's host signs nobody in by itself.
        using var response = await fixture.Http.GetAsync(Routes.ApiDocument);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var read = OpenApiDocument.Parse(body, "json");
        Assert.Empty(read.Diagnostic!.Errors);
        Assert.Equal(OpenApiSpecVersion.OpenApi3_1, read.Diagnostic.SpecificationVersion);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse(new ApiDocument(typeof(IncidentServices).Assembly).Json.GetRawText()),
            JsonNode.Parse(body)));
    }

    [Fact]
    public async Task TheDocumentHoldsNoSecretIntegrationOrAddressOfTheHost()
    {
        using var response = await fixture.Http.GetAsync(Routes.ApiDocument);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.All(
            [DevHostFixture.Secret, DevHostFixture.RotatedSecret, DevHostFixture.RoutingKey, DevHostFixture.GrafanaHmacSecret,
             DevHostFixture.AlertmanagerIntegration, DevHostFixture.PagerDutyIntegration, fixture.Host.BaseAddress.Authority],
            secret => Assert.DoesNotContain(secret, body, StringComparison.OrdinalIgnoreCase));
    }
}
