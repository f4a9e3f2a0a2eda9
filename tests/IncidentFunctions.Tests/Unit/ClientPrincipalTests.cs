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

        Assert.Equal(new ClientPrincipal("alice", "aad"), principal);
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

        Assert.Equal(new ClientPrincipal("carol", "aad"), ClientPrincipal.From(RequestWith(Base64(json))));
    }

    [Fact]
    public void PreferredUsernameIsAcceptedAsTheName()
    {
        const string json = """{"auth_typ":"aad","claims":[{"typ":"preferred_username","val":"dave@example.com"}]}""";

        Assert.Equal(new ClientPrincipal("dave@example.com", "aad"), ClientPrincipal.From(RequestWith(Base64(json))));
    }

    [Fact]
    public void MissingProviderIsReportedAsUnknown()
    {
        const string json = """{"claims":[{"typ":"name","val":"erin"}]}""";

        Assert.Equal(new ClientPrincipal("erin", "unknown"), ClientPrincipal.From(RequestWith(Base64(json))));
    }
}
