using IncidentFunctions.Access;
using IncidentFunctions.Model;
using IncidentFunctions.Policy;
using IncidentFunctions.Responding;
using IncidentFunctions.Tests.Infrastructure;
using IncidentFunctions.WebConsole;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace IncidentFunctions.Tests.Unit;

/// <summary>
/// The incident page's forms (IncidentActions, IncidentComposers) rendered as the page renders them: who gets which
/// form, which edits carry If-Match, what the pickers offer, and that names from the policy stay text. That the JSON
/// they produce is what the API takes is DevHostConsoleFormsTests' part.
/// </summary>
public sealed class ConsoleIncidentFormsTests
{
    const string Id = "INC-20261204-FORMS1";
    static readonly DateTimeOffset Opened = new(2026, 12, 4, 9, 0, 0, TimeSpan.Zero);

    const string PolicyJson = """
        {
          "people": [
            { "id": "alice", "name": "Alice", "email": "alice@example.com", "timeZone": "Europe/London" },
            { "id": "bob", "name": "Bob", "email": "bob@example.com", "timeZone": "Europe/London" },
            { "id": "mallory", "name": "<script>alert('person')</script>", "email": "mallory@example.com", "timeZone": "Europe/London" }
          ],
          "teams": [ { "id": "platform", "name": "Platform", "members": ["alice", "bob"] } ],
          "escalationPolicies": [ { "id": "default", "levels": [ { "targets": [ { "person": "alice" } ], "delayMinutes": 1 } ] } ],
          "services": [ { "id": "checkout", "name": "Checkout", "team": "platform", "impactTier": 1, "escalationPolicy": "default" } ],
          "defaultService": "checkout",
          "incidentRoles": [
            { "id": "commander", "name": "Incident commander" },
            { "id": "scribe", "name": "\"><img src=x onerror=alert('role')>", "multiple": true }
          ],
          "communication": { "P1": { "internalMinutes": 30, "stakeholderMinutes": 60 } }
        }
        """;

    static readonly IncidentPolicy Policy = PolicyParser.Parse(PolicyJson, "forms-policy.json");

    static readonly string[] RespondForms = [Post(Routes.IncidentAcknowledge), Post(Routes.IncidentResolve), Post(Routes.IncidentStage), Post(Routes.IncidentResponders)];

    static readonly string[] CommandForms = [Post(Routes.IncidentSeverity), Post(Routes.IncidentRoles), Post(Routes.IncidentMerge), Post(Routes.IncidentDecline)];

    static readonly string[] ComposerForms = [Post(Routes.IncidentNotes), Post(Routes.IncidentUpdates), Post(Routes.IncidentDecisions), Post(Routes.IncidentEvidence), Post(Routes.IncidentEvidence)];

    [Fact]
    public async Task AViewerGetsNoActionOrComposerForms()
    {
        var view = View(Caller(AppRole.Viewer, "bob"), Incident(IncidentStatus.Open, Stage.Triage));

        Assert.False(view.CanRespond);
        Assert.DoesNotContain("<form", await RenderAsync<IncidentActions>(view), StringComparison.Ordinal);
        Assert.DoesNotContain("<form", await RenderAsync<IncidentComposers>(view), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AResponderGetsTheRespondFormsButNoCommanderForms()
    {
        var view = View(Caller(AppRole.Responder, "bob"), Incident(IncidentStatus.Open, Stage.Triage, ("scribe", ["bob"])));

        var actions = await RenderAsync<IncidentActions>(view);

        Assert.Equal(RespondForms, Forms(actions));
        Assert.Equal(["investigating", "identified", "mitigated", "resolved"], Options(actions, Routes.IncidentStage, "stage"));
        Assert.Equal(ComposerForms, Forms(await RenderAsync<IncidentComposers>(view)));
    }

    [Fact]
    public async Task ACommanderGetsEveryFormTheIncidentsStateAllows()
    {
        var commander = Caller(AppRole.Commander, person: null);

        var open = await RenderAsync<IncidentActions>(View(commander, Incident(IncidentStatus.Open, Stage.Triage, ("commander", ["alice"]), ("scribe", ["bob", "alice"]))));
        var resolved = await RenderAsync<IncidentActions>(View(commander, Incident(IncidentStatus.Resolved, Stage.Resolved, ("commander", ["alice"]))));

        Assert.Equal(
            [.. RespondForms.Take(3), Post(Routes.IncidentSeverity), Post(Routes.IncidentRoles), Delete("scribe", "bob"), Delete("scribe", "alice"), Post(Routes.IncidentResponders), Post(Routes.IncidentMerge), Post(Routes.IncidentDecline)],
            Forms(open));
        Assert.Equal(["commander", "scribe"], Options(open, Routes.IncidentRoles, "role"));
        Assert.Equal(["", "alice", "bob", "mallory"], Options(open, Routes.IncidentRoles, "person"));
        Assert.Equal(["alice", "bob", "mallory"], Options(open, Routes.IncidentResponders, "people"));
        Assert.Equal(["platform"], Options(open, Routes.IncidentResponders, "teams"));
        Assert.Equal(["default"], Options(open, Routes.IncidentResponders, "escalationPolicies"));
        Assert.Equal(
            [Post(Routes.IncidentStage), Post(Routes.IncidentSeverity), Post(Routes.IncidentRoles), Post(Routes.IncidentClose)],
            Forms(resolved));
        Assert.Equal(["review"], Options(resolved, Routes.IncidentStage, "stage"));
    }

    [Fact]
    public async Task TheIncidentsOwnCommanderWithTheResponderRoleGetsTheCommanderForms()
    {
        var incident = Incident(IncidentStatus.Acknowledged, Stage.Investigating, ("commander", ["alice"]));

        var own = View(Caller(AppRole.Responder, "alice"), incident);
        var other = View(Caller(AppRole.Responder, "bob"), incident);

        Assert.True(own.CanCommand);
        Assert.Superset(CommandForms.ToHashSet(), Forms(await RenderAsync<IncidentActions>(own)).ToHashSet());
        Assert.False(other.CanCommand);
        Assert.Empty(Forms(await RenderAsync<IncidentActions>(other)).Intersect(CommandForms));
    }

    [Fact]
    public async Task EditsDecidedOnThePageSendIfMatchAndEntriesDoNot()
    {
        var view = View(Caller(AppRole.Admin, person: null), Incident(IncidentStatus.Open, Stage.Triage, ("scribe", ["bob"])));

        var forms = RenderedForm.AllIn(await RenderAsync<IncidentActions>(view) + await RenderAsync<IncidentComposers>(view));

        Assert.Equal(
            [Post(Routes.IncidentStage), Post(Routes.IncidentSeverity), Post(Routes.IncidentRoles), Delete("scribe", "bob"), Post(Routes.IncidentMerge), Post(Routes.IncidentDecline)],
            forms.Where(f => f.SendsIfMatch).Select(f => $"{f.Method} {f.Path}"));
        Assert.All(forms, f => Assert.Equal("none", f.Attributes["hx-swap"]));
    }

    [Fact]
    public async Task NamesFromThePolicyAreTextNeverMarkup()
    {
        var view = View(Caller(AppRole.Admin, person: null), Incident(IncidentStatus.Open, Stage.Triage, ("scribe", ["mallory"])));

        var html = await RenderAsync<IncidentActions>(view) + await RenderAsync<IncidentComposers>(view);

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(&#x27;person&#x27;)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("&quot;&gt;&lt;img src=x onerror=alert(&#x27;role&#x27;)&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheUpdateComposerSaysWhenEachAudienceIsDueAndWhichIsOverdue()
    {
        var incident = Incident(IncidentStatus.Acknowledged, Stage.Investigating) with { Priority = Priority.P1 };
        var view = View(Caller(AppRole.Responder, "bob"), incident, now: Opened.AddMinutes(45));

        var html = await RenderAsync<IncidentComposers>(view);

        Assert.Matches(@"<li class=""overdue"">\s*Internal update\s*overdue since\s*<time datetime=""2026-12-04T09:30:00Z"">2026-12-04 09:30 UTC</time>", html);
        Assert.Matches(@"<li>\s*Stakeholders update\s*due\s*<time datetime=""2026-12-04T10:00:00Z"">2026-12-04 10:00 UTC</time>", html);
        Assert.DoesNotContain("updates-due", await RenderAsync<IncidentComposers>(View(view.Viewer, incident with { Response = incident.Response with { Stage = Stage.Resolved } })), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheEvidenceFormShowsTheSizeLimitAndSendsTheFileNameWhereTheApiReadsIt()
    {
        var html = await RenderAsync<IncidentComposers>(View(Caller(AppRole.Responder, "bob"), Incident(IncidentStatus.Open, Stage.Triage)), maxEvidenceBytes: 5 * 1024 * 1024);

        var file = RenderedForm.AllIn(html).Single(f => f.SendsFile);

        Assert.Contains("at most 5 MiB", html, StringComparison.Ordinal);
        Assert.Contains($"data-max-bytes=\"{5 * 1024 * 1024}\"", html, StringComparison.Ordinal);
        Assert.Equal(IncidentEvidence.FileNameQuery, file.Attributes["data-file-name"]);
    }

    [Fact]
    public async Task TimesAreTypedAsInstantsSoTheBrowserSendsThemWithTheirZone()
    {
        var forms = RenderedForm.AllIn(await RenderAsync<IncidentComposers>(View(Caller(AppRole.Responder, "bob"), Incident(IncidentStatus.Open, Stage.Triage))));

        var times = forms.SelectMany(f => f.Fields).Where(f => f.Type == "datetime-local").ToList();

        Assert.Equal(["occurredAt", "nextUpdateAt"], times.Select(f => f.Name));
        Assert.All(times, f => Assert.Equal("instant", f.Kind));
    }

    static string Post(string route) => $"POST {ConsolePaths.Api(route, ("id", Id))}";

    static string Delete(string role, string person) => $"DELETE {ConsolePaths.Api(Routes.IncidentRoleHolder, ("id", Id), ("role", role), ("person", person))}";

    static IReadOnlyList<string> Forms(string html) => RenderedForm.AllIn(html).Select(f => $"{f.Method} {f.Path}").ToArray();

    static IReadOnlyList<string> Options(string html, string route, string field) =>
        RenderedForm.At(html, ConsolePaths.Api(route, ("id", Id))).Fields.Single(f => f.Name == field).Options.Select(o => o.Value).ToArray();

    static Caller Caller(AppRole role, string? person) =>
        new($"{person ?? "someone"}@example.com", "aad", $"{person ?? "someone"}@example.com", null, new HashSet<AppRole> { role }, person);

    /// <summary>What the incident page decides for the viewer, by the API's own access rule.</summary>
    static IncidentView View(Caller viewer, Incident incident, DateTimeOffset? now = null)
    {
        var facts = IncidentAccessFacts.Of(incident.Response);
        return new IncidentView(
            incident,
            "W/\"datetime'2026-12-04T09%3A00%3A00Z'\"",
            viewer,
            IncidentAccess.Decide(viewer, Permission.Respond, facts) == AccessDecision.Allowed,
            IncidentAccess.Decide(viewer, Permission.Command, facts) == AccessDecision.Allowed,
            Policy,
            now ?? Opened.AddMinutes(5));
    }

    static Incident Incident(IncidentStatus status, Stage stage, params (string Role, string[] Holders)[] roles) =>
        new(Id, "Checkout is down", Severity.High, status, "e2e", "key", null, null, new Dictionary<string, string>(), [], 1,
            Opened, Opened, Opened, null, status == IncidentStatus.Resolved ? Opened.AddMinutes(30) : null, null, Priority.P1, "checkout", null, null, Policy.Version)
        {
            Response = IncidentResponse.ForAlert(Opened) with
            {
                Stage = stage,
                Roles = roles.ToDictionary(r => r.Role, r => (IReadOnlyList<string>)r.Holders),
                Participants = [.. roles.SelectMany(r => r.Holders).Distinct()],
            },
        };

    static async Task<string> RenderAsync<TComponent>(IncidentView view, long maxEvidenceBytes = EvidenceOptions.DefaultMaxBytes)
        where TComponent : IComponent
    {
        await using var services = new ServiceCollection()
            .AddSingleton(Microsoft.Extensions.Options.Options.Create(new EvidenceOptions { MaxBytes = maxEvidenceBytes }))
            .BuildServiceProvider();
        return await new PageRenderer(services, NullLoggerFactory.Instance).RenderAsync<TComponent>(new Dictionary<string, object?> { ["View"] = view });
    }
}
