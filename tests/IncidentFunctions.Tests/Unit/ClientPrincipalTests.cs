using System.Text;
using IncidentFunctions.Http;
using Microsoft.AspNetCore.Http;

namespace IncidentFunctions.Tests.Unit;

public sealed class ClientPrincipalTests
{
    static HttpRequest RequestWith(string? header)
    {
        var request = new DefaultHttpContext().Request;
        if (header is not null)
        {
            request.Headers[ClientPrincipal.Header] = header;
        }

        return request;
    }

    static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    [Theory]
    [InlineData("alice@example.com")]
    [InlineData("Zoë Ångström")]
    [InlineData("bob \"the builder\" <b@example.com>")]
    public void EncodeThenFromRoundTripsTheName(string name)
    {
        var principal = ClientPrincipal.From(RequestWith(ClientPrincipal.Encode(name, "github")));

        Assert.NotNull(principal);
        Assert.Equal(name, principal.Name);
        Assert.Equal("github", principal.IdentityProvider);
    }

    [Fact]
    public void EncodeDefaultsToTheAadProvider()
    {
        var principal = ClientPrincipal.From(RequestWith(ClientPrincipal.Encode("alice")));

        Assert.Equal(("alice", "aad"), (principal!.Name, principal.IdentityProvider));
        Assert.Empty(principal.Roles);
        Assert.Null(principal.Email);
        Assert.Null(principal.ObjectId);
    }

    [Fact]
    public void HeaderNameIsTheEasyAuthOne()
    {
        Assert.Equal("X-MS-CLIENT-PRINCIPAL", ClientPrincipal.Header);
    }

    [Fact]
    public void MissingHeaderGivesNull()
    {
        Assert.Null(ClientPrincipal.From(RequestWith(null)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void BlankHeaderGivesNull(string header)
    {
        Assert.Null(ClientPrincipal.From(RequestWith(header)));
    }

    [Theory]
    [InlineData("not base64 at all!")]
    [InlineData("abc")]
    [InlineData("%%%%")]
    public void HeaderThatIsNotBase64GivesNull(string header)
    {
        Assert.Null(ClientPrincipal.From(RequestWith(header)));
    }

    [Theory]
    [InlineData("hello, world")]
    [InlineData("{\"claims\": [")]
    [InlineData("<principal name=\"alice\"/>")]
    public void Base64OfSomethingThatIsNotJsonGivesNull(string text)
    {
        Assert.Null(ClientPrincipal.From(RequestWith(Base64(text))));
    }

    [Theory]
    [InlineData("""{"auth_typ":"aad","name_typ":"name","claims":[]}""")]
    [InlineData("""{"auth_typ":"aad","name_typ":"name"}""")]
    [InlineData("""{"auth_typ":"aad","name_typ":"name","claims":[{"typ":"roles","val":"admin"},{"typ":"email","val":"a@example.com"}]}""")]
    [InlineData("""{"auth_typ":"aad","name_typ":"name","claims":[{"typ":"name","val":"   "}]}""")]
    [InlineData("""{"auth_typ":"aad","name_typ":"name","claims":[{"typ":"name"}]}""")]
    [InlineData("""{"auth_typ":"aad","claims":{"typ":"name","val":"alice"}}""")]
    public void JsonWithoutANameClaimGivesNull(string json)
    {
        Assert.Null(ClientPrincipal.From(RequestWith(Base64(json))));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"alice\"")]
    [InlineData("""{"auth_typ":1,"claims":[{"typ":"name","val":"alice"}]}""")]
    [InlineData("""{"claims":[{"typ":"name","val":42}]}""")]
    [InlineData("""{"claims":["name"]}""")]
    public void JsonOfTheWrongShapeGivesNullRatherThanThrowing(string json)
    {
        Assert.Null(ClientPrincipal.From(RequestWith(Base64(json))));
    }

    [Fact]
    public void NameClaimTypeIsTakenFromNameTyp()
    {
        const string json = """
            {"auth_typ":"aad","name_typ":"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
             "claims":[{"typ":"roles","val":"admin"},{"typ":"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name","val":"carol"}]}
            """;

        var principal = ClientPrincipal.From(RequestWith(Base64(json)));

        Assert.Equal(("carol", "aad"), (principal!.Name, principal.IdentityProvider));
    }

    [Fact]
    public void PreferredUsernameIsAcceptedAsTheName()
    {
        const string json = """{"auth_typ":"aad","claims":[{"typ":"preferred_username","val":"dave@example.com"}]}""";

        var principal = ClientPrincipal.From(RequestWith(Base64(json)));

        Assert.Equal(("dave@example.com", "aad"), (principal!.Name, principal.IdentityProvider));
        Assert.Equal("dave@example.com", principal.Email);
    }

    [Fact]
    public void MissingProviderIsReportedAsUnknown()
    {
        const string json = """{"claims":[{"typ":"name","val":"erin"}]}""";

        Assert.Equal(("erin", "unknown"), ClientPrincipal.From(RequestWith(Base64(json))) is { } p ? (p.Name, p.IdentityProvider) : default);
    }

    [Fact]
    public void EncodeThenFromRoundTripsRolesEmailAndObjectId()
    {
        var objectId = Guid.NewGuid().ToString();

        var principal = ClientPrincipal.From(RequestWith(ClientPrincipal.Encode("Alice", roles: ["viewer", "commander"], email: "alice@example.com", objectId: objectId)))!;

        Assert.Equal(["viewer", "commander"], principal.Roles);
        Assert.Equal("alice@example.com", principal.Email);
        Assert.Equal(objectId, principal.ObjectId);
    }

    /// <summary>Easy Auth's Entra principal: role_typ names the role claim, here as .NET's URI.</summary>
    [Fact]
    public void RolesAreTheClaimsOfRoleTyp()
    {
        const string json = """
            {"auth_typ":"aad","name_typ":"name","role_typ":"urn:custom:role",
             "claims":[{"typ":"name","val":"Alice"},{"typ":"urn:custom:role","val":"Admin"},{"typ":"groups","val":"viewer"}]}
            """;

        Assert.Equal(["Admin"], ClientPrincipal.From(RequestWith(Base64(json)))!.Roles);
    }

    /// <summary>Easy Auth has been seen to name the URI in role_typ and pass Entra's claims as "roles": both count.</summary>
    [Theory]
    [InlineData("roles")]
    [InlineData("http://schemas.microsoft.com/ws/2008/06/identity/claims/role")]
    public void EntrasRoleClaimsCountWhateverRoleTypSays(string claim)
    {
        var json = $$"""{"auth_typ":"aad","role_typ":"something-else","claims":[{"typ":"name","val":"Alice"},{"typ":"{{claim}}","val":"responder"}]}""";

        Assert.Equal(["responder"], ClientPrincipal.From(RequestWith(Base64(json)))!.Roles);
    }

    [Theory]
    [InlineData("email", "a@example.com")]
    [InlineData("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", "a@example.com")]
    [InlineData("emails", "a@example.com")]
    [InlineData("preferred_username", "a@example.com")]
    public void EmailComesFromAnyAddressClaim(string claim, string address)
    {
        var json = $$"""{"auth_typ":"aad","name_typ":"name","claims":[{"typ":"name","val":"Alice"},{"typ":"{{claim}}","val":"{{address}}"}]}""";

        Assert.Equal(address, ClientPrincipal.From(RequestWith(Base64(json)))!.Email);
    }

    /// <summary>A sign-in name that is not an address (a UPN-less account, a GitHub login) is not taken for one.</summary>
    [Fact]
    public void AnAddressClaimBeforeASignInNameWinsAndANonAddressIsSkipped()
    {
        const string json = """
            {"auth_typ":"aad","name_typ":"name","claims":[{"typ":"name","val":"Alice"},{"typ":"preferred_username","val":"alice-login"},
             {"typ":"emails","val":"Alice <alice@example.com>"},{"typ":"email","val":"alice@example.com"}]}
            """;

        Assert.Equal("alice@example.com", ClientPrincipal.From(RequestWith(Base64(json)))!.Email);
        Assert.Null(ClientPrincipal.From(RequestWith(Base64(json.Replace("\"email\"", "\"other\"", StringComparison.Ordinal))))!.Email);
    }

    [Theory]
    [InlineData("oid")]
    [InlineData("http://schemas.microsoft.com/identity/claims/objectidentifier")]
    public void ObjectIdComesFromEitherSpelling(string claim)
    {
        var json = $$"""{"auth_typ":"aad","name_typ":"name","claims":[{"typ":"name","val":"Alice"},{"typ":"{{claim}}","val":"6f1c2b9e-53a4-4f0e-9d3c-2a7b8e1f4c55"}]}""";

        Assert.Equal("6f1c2b9e-53a4-4f0e-9d3c-2a7b8e1f4c55", ClientPrincipal.From(RequestWith(Base64(json)))!.ObjectId);
    }
}
