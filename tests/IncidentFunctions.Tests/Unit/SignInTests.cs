using IncidentFunctions.Access;
using IncidentFunctions.Http;
using IncidentFunctions.Policy;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace IncidentFunctions.Tests.Unit;

/// <summary>
/// A believed principal becomes a <see cref="Caller"/>: its app roles (or Access:DefaultRole without a role claim), and
/// the policy person it is, found by object id or email.
/// </summary>
public sealed class SignInTests
{
    const string AliceObjectId = "6f1c2b9e-53a4-4f0e-9d3c-2a7b8e1f4c55";

    static readonly string Policy = $$"""
        {
          "people": [
            { "id": "alice", "name": "Alice", "email": "alice@example.com", "timeZone": "UTC", "objectId": "{{AliceObjectId.ToUpperInvariant()}}" },
            { "id": "bob", "name": "Bob", "email": "Bob@Example.com", "timeZone": "UTC" }
          ],
          "teams": [ { "id": "platform", "name": "Platform", "members": ["alice", "bob"] } ],
          "escalationPolicies": [ { "id": "default", "levels": [ { "targets": [ { "team": "platform" } ], "delayMinutes": 5 } ] } ],
          "services": [ { "id": "checkout", "name": "Checkout", "team": "platform", "impactTier": 1, "escalationPolicy": "default" } ],
          "defaultService": "checkout"
        }
        """;

    static async Task<ServiceProvider> ServicesAsync(params (string Key, string? Value)[] changes)
    {
        var services = StartupSettings.Services(
            (s, configuration) => s.AddIncidentServices(configuration),
            ClientPrincipalTrustTests.AppSettings,
            [("Policy__Json", Policy), ("Authentication__EasyAuthEnabled", "true"), .. changes]);
        await services.GetRequiredService<PolicyProvider>().LoadAsync(CancellationToken.None);
        return services;
    }

    static HttpRequest Request(string principal)
    {
        var request = new DefaultHttpContext().Request;
        request.Headers[ClientPrincipal.Header] = principal;
        return request;
    }

    static Caller? CallerOf(ServiceProvider services, string principal) =>
        services.GetRequiredService<SignIn>().CallerOf(Request(principal));

    [Fact]
    public async Task RoleClaimsGiveTheirAppRolesAndUnknownOnesAreIgnored()
    {
        await using var services = await ServicesAsync();

        var caller = CallerOf(services, ClientPrincipal.Encode("Dana", roles: ["Viewer", "Commander", "Incident.Manager"]))!;

        Assert.Equal([AppRole.Viewer, AppRole.Commander], caller.Roles.Order());
        Assert.True(caller.Holds(Permission.Command));
        Assert.False(caller.Holds(Permission.Administer));
    }

    [Theory]
    [InlineData(null, new[] { AppRole.Responder })]
    [InlineData(" ", new[] { AppRole.Responder })]
    [InlineData("viewer", new[] { AppRole.Viewer })]
    [InlineData("ADMIN", new[] { AppRole.Admin })]
    [InlineData("none", new AppRole[0])]
    public async Task ACallerWithoutARoleClaimGetsTheDefaultRole(string? setting, AppRole[] expected)
    {
        await using var services = await ServicesAsync(("Access__DefaultRole", setting));

        var caller = CallerOf(services, ClientPrincipal.Encode("Dana", roles: ["not-an-app-role"]))!;

        Assert.Equal(expected, caller.Roles.Order());
    }

    [Theory]
    [InlineData("responders")]
    [InlineData("1")]
    [InlineData("root")]
    public async Task AnUnknownDefaultRoleStopsTheStartNamingTheSetting(string setting)
    {
        await using var services = await ServicesAsync(("Access__DefaultRole", setting));

        var failure = StartupSettings.Failure(services);

        Assert.Contains("Access:DefaultRole (Access__DefaultRole)", failure, StringComparison.Ordinal);
        Assert.Contains("viewer, responder, commander, admin or none", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACallerIsThePolicyPersonWithTheirObjectIdBeforeTheirEmail()
    {
        await using var services = await ServicesAsync();

        // Alice's object id, signed in with Bob's address: the object id decides.
        Assert.Equal("alice", CallerOf(services, ClientPrincipal.Encode("A", email: "bob@example.com", objectId: AliceObjectId))!.PersonId);
        Assert.Equal("bob", CallerOf(services, ClientPrincipal.Encode("B", email: "BOB@example.COM"))!.PersonId);
        Assert.Equal("alice", CallerOf(services, ClientPrincipal.Encode("A", email: "alice@example.com", objectId: Guid.NewGuid().ToString()))!.PersonId);
        Assert.Null(CallerOf(services, ClientPrincipal.Encode("Mallory", email: "mallory@example.com"))!.PersonId);
    }

    [Fact]
    public async Task TheCallerKeyIsTheObjectIdWhereThereIsOne()
    {
        await using var services = await ServicesAsync();

        var withId = CallerOf(services, ClientPrincipal.Encode("Alice", objectId: AliceObjectId))!;
        var renamed = CallerOf(services, ClientPrincipal.Encode("Alice Smith", objectId: AliceObjectId))!;
        var withoutId = CallerOf(services, ClientPrincipal.Encode("Alice", provider: "github"))!;

        Assert.Equal(withId.Key, renamed.Key);
        Assert.NotEqual(withId.Key, withoutId.Key);
        Assert.NotEqual(withoutId.Key, CallerOf(services, ClientPrincipal.Encode("Alice", provider: "aad"))!.Key);
    }

    [Fact]
    public async Task AViewerIsAdmittedToReadAndRefusedToRespondNamingThePermission()
    {
        await using var services = await ServicesAsync();
        var signIn = services.GetRequiredService<SignIn>();
        var viewer = ClientPrincipal.Encode("Dana", roles: ["viewer"]);

        Assert.True(signIn.TryAdmit(Request(viewer), Permission.Read, out var caller, out _));
        Assert.Equal("Dana", caller!.Name);
        Assert.False(signIn.TryAdmit(Request(viewer), Permission.Respond, out var refused, out var problem));
        Assert.Null(refused);
        Assert.Equal((403, "urn:incidentfunctions:problem:forbidden"), (problem!.Status, problem.Type));
        Assert.False(signIn.TryAdmit(new DefaultHttpContext().Request, Permission.Read, out _, out var anonymous));
        Assert.Equal(401, anonymous!.Status);
    }
}
