using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.Json;
using IncidentFunctions.Access;
using IncidentFunctions.Functions;
using IncidentFunctions.Http;
using IncidentFunctions.Incidents;
using IncidentFunctions.Model;
using IncidentFunctions.TestTools;
using IncidentFunctions.Tests.Infrastructure;
using IncidentFunctions.Tests.Unit;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.Tests.EndToEnd;

/// <summary>
/// Every HTTP function against every app role, on the dev host: the answer each caller gets (allowed, 401, 403 naming
/// the permission, 404), and what a responder who is not a participant of a restricted incident gets. The functions are
/// found by reflection, so a route added without an entry in <see cref="Table"/> fails the test by name.
/// </summary>
[Collection(DevHostCollection.Name)]
public sealed class RouteAccessTests(DevHostFixture fixture)
{
    /// <summary>
    /// What a caller gets: past the access checks (a 2xx, or the route's own refusal of the empty or placeholder request
    /// the table sends: 400, 409, 412, 413, 415 or 422), or refused by them. Access is decided before the body is read, so
    /// a refusal by access is never hidden behind a 400.
    /// </summary>
    public enum Answer
    {
        Allowed,
        Unauthenticated,
        Forbidden,
        Hidden,
    }

    /// <summary>
    /// A route's expected answers. <see cref="Needs"/> is the permission a signed-in route asks for;
    /// <see cref="OwnMeans"/> instead names the credential a route checks itself (a signed token, an integration secret),
    /// with <see cref="Refused"/> the status every caller gets without it, whatever principal they send.
    /// <see cref="RestrictedOutsider"/> is the answer, about a restricted incident, to a responder not involved in it.
    /// </summary>
    public sealed record Expected(
        Permission? Needs, Answer Anonymous, Answer Viewer, Answer Responder, Answer Commander, Answer Admin, Answer? RestrictedOutsider,
        string? OwnMeans = null, int? Refused = null);

    static Expected Reads() =>
        new(Permission.Read, Answer.Unauthenticated, Answer.Allowed, Answer.Allowed, Answer.Allowed, Answer.Allowed, Answer.Hidden);

    static Expected Responds() =>
        new(Permission.Respond, Answer.Unauthenticated, Answer.Forbidden, Answer.Allowed, Answer.Allowed, Answer.Allowed, Answer.Hidden);

    /// <summary>Commander actions: the commander app role, admins, and (not in this table's callers) the incident's own commander.</summary>
    static Expected Commands() =>
        new(Permission.Command, Answer.Unauthenticated, Answer.Forbidden, Answer.Forbidden, Answer.Allowed, Answer.Allowed, Answer.Hidden);

    static Expected Own(string means, int refused) =>
        new(null, Answer.Unauthenticated, Answer.Unauthenticated, Answer.Unauthenticated, Answer.Unauthenticated, Answer.Unauthenticated, null, means, refused);

    /// <summary>Every HTTP function, by name. For the listing, "hidden" means a restricted incident is left out of it.</summary>
    static readonly Dictionary<string, Expected> Table = new()
    {
        [nameof(IncidentApi.ListIncidents)] = Reads(),
        [nameof(IncidentApi.GetIncident)] = Reads(),
        [nameof(IncidentApi.GetTimeline)] = Reads(),
        [nameof(ResponderApi.AcknowledgeIncident)] = Responds(),
        [nameof(ResponderApi.ResolveIncident)] = Responds(),
        [nameof(IncidentRecordApi.DeclareIncident)] = Responds(),
        [nameof(IncidentRecordApi.EditIncident)] = Responds(),

        // The target stage decides: the working stages and resolved any responder's, review, closed and declined the commander's.
        [nameof(IncidentRecordApi.ChangeStage)] = Responds(),
        [nameof(IncidentRecordApi.ChangeSeverity)] = Commands(),
        [nameof(IncidentRecordApi.CorrectMilestone)] = Commands(),
        [nameof(IncidentRecordApi.DeclineIncident)] = Commands(),
        [nameof(IncidentRecordApi.CloseIncident)] = Commands(),

        [nameof(PeopleApi.AssignRole)] = Commands(),
        [nameof(PeopleApi.ReleaseRole)] = Commands(),
        [nameof(PeopleApi.AddResponders)] = Responds(),
        [nameof(PeopleApi.GrantAccess)] = Commands(),
        [nameof(PeopleApi.RevokeAccess)] = Commands(),
        [nameof(PeopleApi.Subscribe)] = Reads(),
        [nameof(PeopleApi.Unsubscribe)] = Reads(),
        [nameof(PeopleApi.MergeIncident)] = Commands(),

        [nameof(TaskApi.ListTasks)] = Reads(),
        [nameof(TaskApi.CreateTask)] = Responds(),
        [nameof(TaskApi.ChangeTask)] = Responds(),
        [nameof(RecordApi.AddNote)] = Responds(),
        [nameof(RecordApi.PostUpdate)] = Responds(),
        [nameof(RecordApi.RecordDecision)] = Responds(),
        [nameof(RecordApi.PinEvent)] = Responds(),
        [nameof(RecordApi.UnpinEvent)] = Responds(),
        [nameof(EvidenceApi.AddEvidence)] = Responds(),
        [nameof(EvidenceApi.GetEvidenceFile)] = Reads(),
        [nameof(AlertFunctions.ReceiveAlerts)] = Own("the integration's secret or signature", 401),
        [nameof(AlertFunctions.ReceivePagerDutyEvent)] = Own("the routing key in the event", 400),
        [nameof(ResponderLinkFunctions.ShowResponderLink)] = Own("the link's signed token", 400),
        [nameof(ResponderLinkFunctions.SubmitResponderLink)] = Own("the link's signed token", 400),

        // Public on purpose (alert senders have no sign-in): every caller, with or without a principal, gets it.
        [nameof(ApiDocumentFunctions.GetApiDocument)] = Own("nothing: the API description is public", 200),

        // The console's pages answer as pages: the same statuses, the refusal as HTML.
        [nameof(ConsoleFunctions.ConsoleIncidents)] = Reads(),
        [nameof(ConsoleIncidentFunctions.ConsoleIncident)] = Reads(),
        [nameof(ConsoleIncidentFunctions.ConsoleIncidentLive)] = Reads(),
        [nameof(ConsoleIncidentFunctions.ConsoleIncidentTimeline)] = Reads(),
        [nameof(ConsoleIncidentFunctions.ConsoleIncidentOlder)] = Reads(),
        [nameof(ConsoleFunctions.ConsoleIncidentRows)] = Reads(),
        [nameof(ConsoleDashboardFunctions.ConsoleDeclare)] = Responds(),
        [nameof(ConsoleDashboardFunctions.ConsoleDashboard)] = Reads(),

        // Public on purpose: the emailed links' pages, seen without a sign-in, use the console's stylesheet.
        [nameof(ConsoleFunctions.ConsoleAsset)] = Own("nothing: the console's static files are public", 200),
    };

    /// <summary>The callers, each signed in with the role claim of its app role; anonymous sends no principal.</summary>
    static readonly (string Name, AppRole? Role)[] Callers =
        [("anonymous", null), ("viewer", AppRole.Viewer), ("responder", AppRole.Responder), ("commander", AppRole.Commander), ("admin", AppRole.Admin)];

    static Answer ExpectedFor(Expected row, AppRole? role) => role switch
    {
        null => row.Anonymous,
        AppRole.Viewer => row.Viewer,
        AppRole.Responder => row.Responder,
        AppRole.Commander => row.Commander,
        _ => row.Admin,
    };

    static IEnumerable<(string Name, string Route, string[] Methods)> HttpFunctions() =>
        typeof(IncidentServices).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods())
            .Select(m => (Function: m.GetCustomAttribute<FunctionAttribute>(), Trigger: m.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null)))
            .Where(f => f.Function is not null && f.Trigger is not null)
            .Select(f => (f.Function!.Name, f.Trigger!.Route!, f.Trigger.Methods!));

    [Fact]
    public void EveryHttpFunctionHasAnEntryAndEveryEntryAFunction()
    {
        var functions = HttpFunctions().Select(f => f.Name).ToList();

        var missing = functions.Where(f => !Table.ContainsKey(f)).ToList();
        Assert.True(missing.Count == 0, $"No entry in {nameof(RouteAccessTests)}.{nameof(Table)} for: {string.Join(", ", missing)}");
        Assert.Equal(Table.Keys.Order(), functions.Order());
        Assert.All(Table, row => Assert.True((row.Value.Needs is null) == (row.Value.OwnMeans is not null), $"{row.Key}: a permission or its own means, one of them"));
    }

    /// <summary>
    /// The restricted column, on the dev host: a restricted incident is a 404 on every route to a responder who is not
    /// involved, and left out of their list, while its participant and an admin get what their app role gets.
    /// </summary>
    [Fact]
    public async Task ARestrictedIncidentIsHiddenFromAResponderWhoIsNotInvolvedOnEveryRoute()
    {
        // Declared restricted, as a security incident is, by an admin the policy does not know, without paging (so it
        // opens acknowledged by them, and nobody who acknowledges later becomes its commander). carol is on its
        // escalation (the team is level 2), which makes her a participant; dana is a person of the policy on no
        // escalation, and takes no part.
        var admin = ClientPrincipal.Encode("root@example.com", roles: [AppRoles.ValueOf(AppRole.Admin)]);
        using var declare = new HttpRequestMessage(HttpMethod.Post, Routes.Incidents)
        {
            Content = JsonContent.Create(new { title = "Restricted incident", severity = "critical", service = "checkout", visibility = "restricted", page = false }),
        };
        declare.Headers.Add(ClientPrincipal.Header, admin);
        using var declared = await fixture.Http.SendAsync(declare);
        Assert.True(declared.StatusCode == System.Net.HttpStatusCode.Created, await declared.Content.ReadAsStringAsync());
        var incident = (await declared.Content.ReadFromJsonAsync<Incident>(JsonDefaults.Options))!;
        Assert.Equal(Visibility.Restricted, incident.Response.Visibility);

        var outsider = ClientPrincipal.Encode("Dana", roles: [AppRoles.ValueOf(AppRole.Responder)], email: fixture.Policy.Email(TestPolicy.Outsider));
        var participant = ClientPrincipal.Encode("Carol", roles: [AppRoles.ValueOf(AppRole.Responder)], email: fixture.Policy.Email("carol"));

        Assert.False(await ListedAsync(outsider, incident.Id), "a responder who is not involved sees the restricted incident in the list");
        Assert.True(await ListedAsync(participant, incident.Id), "its participant does not see it in the list");
        Assert.True(await ListedAsync(admin, incident.Id), "an admin does not see it in the list");

        var failures = new List<string>();
        // The outsider first: they change nothing. Then the participant and the admin, whose requests may act on it.
        foreach (var (who, principal, expect) in new (string, string, Func<Expected, Answer>)[]
        {
            ("outsider", outsider, row => row.RestrictedOutsider!.Value),
            ("participant", participant, row => row.Responder),
            ("admin", admin, row => row.Admin),
        })
        {
            // Every route about one incident; the list is checked above, and declaring is about no incident.
            foreach (var (name, route, methods) in HttpFunctions().Where(f => Table[f.Name].Needs is not null && f.Route.Contains("{id}", StringComparison.Ordinal)).OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                foreach (var method in methods)
                {
                    var (status, body, _) = await SendAsync(name, route, method, principal, incident.Id);
                    var answer = AnswerOf(status, body);
                    if (answer != expect(Table[name]))
                    {
                        failures.Add($"{who} {method.ToUpperInvariant()} {name}: {status} {body}, expected {expect(Table[name])}");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    async Task<bool> ListedAsync(string principal, string id)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "incidents?status=all&limit=100");
        request.Headers.Add(ClientPrincipal.Header, principal);
        using var response = await fixture.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var page = await response.Content.ReadFromJsonAsync<ResultPage<IncidentSummary>>(JsonDefaults.Options);
        return page!.Items.Any(i => i.Id == id);
    }

    [Fact]
    public async Task EachRouteAnswersEachAppRoleAsTheTableSays()
    {
        var key = TestAlerts.NewKey("access");
        (await fixture.PostAlertAsync(DevHostPipelineTests.Alert(key, "Route access table"))).EnsureSuccessStatusCode();
        var incident = await Eventually.Get(() => fixture.FindIncidentAsync(key, "open"), "the open incident");
        var failures = new List<string>();

        foreach (var (caller, role) in Callers)
        {
            foreach (var (name, route, methods) in HttpFunctions().OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                var row = Table[name];
                foreach (var method in methods)
                {
                    var principal = role is { } r ? ClientPrincipal.Encode($"{caller}@example.com", roles: [AppRoles.ValueOf(r)]) : null;
                    var (status, body, problem) = await SendAsync(name, route, method, principal, incident.Id);
                    var what = $"{caller} {method.ToUpperInvariant()} {name}";
                    if (row.OwnMeans is not null)
                    {
                        if (status != row.Refused)
                        {
                            failures.Add($"{what}: {status}, expected {row.Refused} (authenticated by {row.OwnMeans}, not by a principal)");
                        }

                        continue;
                    }

                    var expected = ExpectedFor(row, role);
                    var answer = AnswerOf(status, body);
                    if (answer != expected)
                    {
                        failures.Add($"{what}: {status} {body}, expected {expected}");
                    }
                    else if (answer == Answer.Forbidden && !NamesThePermission(body, problem, row.Needs!.Value))
                    {
                        failures.Add($"{what}: a 403 that does not name the permission '{row.Needs!.Value.NameOf()}': {body}");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>Sends a route the table's request: placeholder ids, an empty body (a valid one for the alert routes).</summary>
    async Task<(int Status, string Body, bool Problem)> SendAsync(string name, string route, string method, string? principal, string incidentId)
    {
        var path = route.Replace("{id}", incidentId, StringComparison.Ordinal)
            .Replace("{integration}", DevHostFixture.Integration, StringComparison.Ordinal)
            .Replace("{action}", "acknowledge", StringComparison.Ordinal)
            .Replace("{role}", "commander", StringComparison.Ordinal)
            .Replace("{person}", "alice", StringComparison.Ordinal)
            .Replace("{task}", "no-such-task", StringComparison.Ordinal)
            .Replace("{evidence}", "no-such-evidence", StringComparison.Ordinal)
            .Replace("{event}", "no-such-event", StringComparison.Ordinal)
            .Replace("{file}", WebConsole.ConsoleAssets.Embedded.Url(WebConsole.ConsoleAssets.Stylesheet).Split('/')[^1], StringComparison.Ordinal);
        using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), path);
        if (principal is not null)
        {
            request.Headers.Add(ClientPrincipal.Header, principal);
        }

        if (method == "post" && name == nameof(AlertFunctions.ReceivePagerDutyEvent))
        {
            request.Content = JsonContent.Create(new { routing_key = Guid.NewGuid().ToString("N"), event_action = "trigger", payload = new { summary = "x", source = "y", severity = "critical" } });
        }
        else if (method == "post" && name == nameof(AlertFunctions.ReceiveAlerts))
        {
            request.Content = new StringContent(DevHostPipelineTests.Alert(TestAlerts.NewKey("access"), "Without a secret"), Encoding.UTF8, "application/json");
        }

        using var response = await fixture.Http.SendAsync(request);
        return ((int)response.StatusCode, method == "head" ? string.Empty : await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType == Problem.ContentType);
    }

    static Answer? AnswerOf(int status, string body) => status switch
    {
        401 => Answer.Unauthenticated,
        403 => Answer.Forbidden,
        // The incident hidden (or missing) names "id"; a missing task, role holder or event inside a visible
        // incident names its own field, and is past the access checks.
        404 => IsAboutTheIncident(body) ? Answer.Hidden : Answer.Allowed,
        >= 200 and < 300 or 400 or 409 or 412 or 413 or 415 or 422 => Answer.Allowed,
        _ => null,
    };

    static bool IsAboutTheIncident(string body)
    {
        try
        {
            return JsonDocument.Parse(body).RootElement.TryGetProperty("errors", out var errors) && errors.TryGetProperty("id", out _);
        }
        catch (JsonException)
        {
            return true;
        }
    }

    /// <summary>A problem names it in errors.permission; a console page in its text (Razor encodes the quotes).</summary>
    static bool NamesThePermission(string body, bool problem, Permission permission) =>
        problem
            ? JsonDocument.Parse(body).RootElement.GetProperty("errors").TryGetProperty("permission", out var rule)
                && rule[0].GetString()!.Contains($"'{permission.NameOf()}'", StringComparison.Ordinal)
            : System.Net.WebUtility.HtmlDecode(body).Contains($"'{permission.NameOf()}'", StringComparison.Ordinal);
}
