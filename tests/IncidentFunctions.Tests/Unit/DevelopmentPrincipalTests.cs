using IncidentFunctions.DevHost;
using IncidentFunctions.Http;
using Microsoft.AspNetCore.Http;

namespace IncidentFunctions.Tests.Unit;

/// <summary>The principal the dev host signs requests in with: DevHost:Principal with DevHost:Roles (admin by default).</summary>
public sealed class DevelopmentPrincipalTests
{
    static ClientPrincipal Decode(string header)
    {
        var request = new DefaultHttpContext().Request;
        request.Headers[ClientPrincipal.Header] = header;
        return ClientPrincipal.From(request)!;
    }

    [Fact]
    public void ByDefaultTheDeveloperIsAnAdminSignedInWithTheirAddress()
    {
        var principal = Decode(DevHostExtensions.DevelopmentPrincipal(new DevHostOptions())!);

        Assert.Equal(("developer@localhost", "devhost"), (principal.Name, principal.IdentityProvider));
        Assert.Equal(["admin"], principal.Roles);
        Assert.Equal("developer@localhost", principal.Email);
    }

    [Fact]
    public void RolesAreCommaSeparatedAndANameThatIsNoAddressSendsNone()
    {
        var principal = Decode(DevHostExtensions.DevelopmentPrincipal(new DevHostOptions { Principal = "Dana", Roles = " viewer, commander ,," })!);

        Assert.Equal(["viewer", "commander"], principal.Roles);
        Assert.Null(principal.Email);
    }

    [Fact]
    public void EmptyRolesSendNoRoleClaimAndAnEmptyPrincipalSignsNobodyIn()
    {
        Assert.Empty(Decode(DevHostExtensions.DevelopmentPrincipal(new DevHostOptions { Roles = "" })!).Roles);
        Assert.Null(DevHostExtensions.DevelopmentPrincipal(new DevHostOptions { Principal = " " }));
    }

    [Theory]
    [InlineData("viewer", new[] { "viewer" })]
    [InlineData(" Responder , ADMIN ", new[] { "responder", "admin" })]
    [InlineData("none", new string[0])]
    [InlineData("", null)]
    [InlineData("viewer,owner", null)]
    [InlineData("none,viewer", null)]
    public void ARoleChoiceIsAppRolesInTheirOwnSpellingOrNone(string choice, string[]? roles) =>
        Assert.Equal(roles, DevHostExtensions.RolesOf(choice)?.ToArray());
}
