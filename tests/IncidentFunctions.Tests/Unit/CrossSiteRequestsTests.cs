using IncidentFunctions.Access;
using Microsoft.AspNetCore.Http;

namespace IncidentFunctions.Tests.Unit;

/// <summary>
/// A change a browser makes from another site's page is refused before anything else (the sign-in cookie would ride
/// along); the console's own requests, a person's own navigation, reads and clients that are not browsers pass.
/// </summary>
public sealed class CrossSiteRequestsTests
{
    static HttpRequest Request(string method, string? fetchSite = null, string? origin = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Host = new HostString("incidents.example.com");
        if (fetchSite is not null)
        {
            context.Request.Headers[CrossSiteRequests.FetchSiteHeader] = fetchSite;
        }

        if (origin is not null)
        {
            context.Request.Headers.Origin = origin;
        }

        return context.Request;
    }

    [Theory]
    [InlineData("POST", "cross-site")]
    [InlineData("PATCH", "same-site")]
    [InlineData("DELETE", "cross-site")]
    [InlineData("PUT", "same-site")]
    public void AChangeFromAnotherSitesPageIsRefusedNamingSecFetchSite(string method, string site)
    {
        var refusal = CrossSiteRequests.Refusal(Request(method, site));

        Assert.NotNull(refusal);
        Assert.Equal(403, refusal.Status);
        Assert.Contains(CrossSiteRequests.FetchSiteHeader, refusal.Errors!.Keys);
    }

    [Fact]
    public void WithoutSecFetchSiteAForeignOriginIsRefused()
    {
        var refusal = CrossSiteRequests.Refusal(Request("POST", origin: "https://attacker.example"));

        Assert.NotNull(refusal);
        Assert.Contains("Origin", refusal.Errors!.Keys);
    }

    [Theory]
    [InlineData("POST", "same-origin", null)]
    [InlineData("POST", "none", null)]
    [InlineData("POST", null, "https://incidents.example.com")]
    [InlineData("POST", null, null)]
    [InlineData("GET", "cross-site", "https://attacker.example")]
    [InlineData("HEAD", "cross-site", null)]
    public void OwnPagesNavigationReadsAndNonBrowserClientsPass(string method, string? site, string? origin) =>
        Assert.Null(CrossSiteRequests.Refusal(Request(method, site, origin)));

    [Fact]
    public void AnUnreadableOriginIsRefused() =>
        Assert.NotNull(CrossSiteRequests.Refusal(Request("POST", origin: "null")));
}
