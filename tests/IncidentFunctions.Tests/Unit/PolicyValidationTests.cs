using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IncidentFunctions.Policy;

namespace IncidentFunctions.Tests.Unit;

public sealed partial class PolicyValidationTests
{
    const string Source = "test-policy.json";

    /// <summary>Valid as it stands; each test breaks one thing (or several) and checks exactly what is reported.</summary>
    const string Valid = """
        {
          "version": "t1",
          "people": [
            { "id": "alice", "name": "Alice", "email": "alice@example.com", "timeZone": "Europe/London" },
            { "id": "bob", "name": "Bob", "email": "bob@example.com", "timeZone": "America/New_York" }
          ],
          "teams": [ { "id": "platform", "name": "Platform", "members": ["alice", "bob"] } ],
          "escalationPolicies": [ {
            "id": "default",
            "levels": [
              { "targets": [ { "person": "alice" } ], "delayMinutes": 1 },
              { "targets": [ { "team": "platform" } ], "delayMinutes": 0.05 }
            ],
            "repeat": 1, "ackTimeoutMinutes": 30, "autoResolve": true, "maxNotifications": 50
          } ],
          "services": [ { "id": "checkout", "name": "Checkout", "team": "platform", "impactTier": 1, "escalationPolicy": "default" } ],
          "routes": [ { "match": { "integration": "demo", "severity": ["critical"], "labels": { "service": "checkout" } }, "service": "checkout" } ],
          "defaultService": "checkout"
        }
        """;

    const string Dave = """{ "id": "dave smith", "name": "Dave", "email": "dave@example.com", "timeZone": "UTC" }""";

    [Fact]
    public void TheBasePolicyOfTheseTestsIsValid() => PolicyParser.Parse(Valid, Source);

    [Theory]
    [InlineData("people[1].email", "\"bob\"", "people[1].email: must be an email address")]
    [InlineData("people[1].email", "\"Bob <bob@example.com>\"", "people[1].email: must be an email address")]
    [InlineData("people[0].timeZone", "\"Mars/Olympus_Mons\"", "people[0].timeZone: must be an IANA time zone id such as Europe/London, spelled exactly")]
    [InlineData("people[0].timeZone", "\"GMT Standard Time\"", "people[0].timeZone: must be an IANA time zone id such as Europe/London, spelled exactly")]
    [InlineData("people[0].timeZone", "\"europe/london\"", "people[0].timeZone: must be an IANA time zone id such as Europe/London, spelled exactly")]
    [InlineData("people[0].name", null, "people[0].name: is required")]
    [InlineData("people[0].name", "\"  \"", "people[0].name: must not be empty")]
    [InlineData("people[0].name", "42", "people[0].name: must be a string, not a number")]
    [InlineData("people[2]", Dave, "people[2].id: must be 1-64 letters, digits, '.', '_' or '-'")]
    [InlineData("people[0].mail", "\"a@example.com\"", "people[0].mail: unknown property; expected one of id, name, email, timeZone, objectId")]
    [InlineData("people[0].objectId", "\"alice\"", "people[0].objectId: must be an Entra object id, a GUID such as 00000000-0000-0000-0000-000000000000")]
    [InlineData("people[0].objectId", "\"{6f1c2b9e-53a4-4f0e-9d3c-2a7b8e1f4c55}\"", "people[0].objectId: must be an Entra object id, a GUID such as 00000000-0000-0000-0000-000000000000")]
    [InlineData("people[0].objectId", "42", "people[0].objectId: must be a string, not a number")]
    [InlineData("teams[0].members", "[]", "teams[0].members: must not be empty")]
    [InlineData("teams[0].members[1]", "\"dave\"", "teams[0].members[1]: unknown person 'dave'")]
    [InlineData("teams[0].members[2]", "\"alice\"", "teams[0].members[0]: duplicate member 'alice' (also teams[0].members[2])")]
    [InlineData("teams[1]", """{ "id": "platform", "name": "Again", "members": ["bob"] }""", "teams[0].id: duplicate id 'platform' (also teams[1])")]
    [InlineData("escalationPolicies[0].levels", "[]", "escalationPolicies[0].levels: must not be empty")]
    [InlineData("escalationPolicies[0].levels[0].targets", "[]", "escalationPolicies[0].levels[0].targets: must not be empty")]
    [InlineData("escalationPolicies[0].levels[1].targets[0]", """{ "person": "alice", "team": "platform" }""", "escalationPolicies[0].levels[1].targets[0]: must name exactly one of person or team")]
    [InlineData("escalationPolicies[0].levels[1].targets[0]", "{}", "escalationPolicies[0].levels[1].targets[0]: must name exactly one of person or team")]
    [InlineData("escalationPolicies[0].levels[1].targets[0].team", "\"infra\"", "escalationPolicies[0].levels[1].targets[0].team: unknown team 'infra'")]
    [InlineData("escalationPolicies[0].levels[0].targets[0].person", "\"dave\"", "escalationPolicies[0].levels[0].targets[0].person: unknown person 'dave'")]
    [InlineData("escalationPolicies[0].levels[0].targets[0].person", "5", "escalationPolicies[0].levels[0].targets[0].person: must be a string, not a number")]
    [InlineData("escalationPolicies[0].levels[0].targets[0].person", "\"\"", "escalationPolicies[0].levels[0].targets[0].person: must not be empty")]
    [InlineData("escalationPolicies[0].levels[0].delayMinutes", "0", "escalationPolicies[0].levels[0].delayMinutes: must be a number of minutes, more than 0 and at most 10080 (a week)")]
    [InlineData("escalationPolicies[0].levels[0].delayMinutes", "10080.5", "escalationPolicies[0].levels[0].delayMinutes: must be a number of minutes, more than 0 and at most 10080 (a week)")]
    [InlineData("escalationPolicies[0].levels[0].delayMinutes", "1e400", "escalationPolicies[0].levels[0].delayMinutes: must be a number of minutes, more than 0 and at most 10080 (a week)")]
    [InlineData("escalationPolicies[0].levels[0].delayMinutes", "\"1\"", "escalationPolicies[0].levels[0].delayMinutes: must be a number of minutes, more than 0 and at most 10080 (a week)")]
    [InlineData("escalationPolicies[0].levels[0].delayMinutes", null, "escalationPolicies[0].levels[0].delayMinutes: is required")]
    [InlineData("escalationPolicies[0].levels[0].delayMinute", "1", "escalationPolicies[0].levels[0].delayMinute: unknown property; expected one of targets, delayMinutes")]
    [InlineData("escalationPolicies[0].repeat", "11", "escalationPolicies[0].repeat: must be a whole number from 0 to 10")]
    [InlineData("escalationPolicies[0].repeat", "1.5", "escalationPolicies[0].repeat: must be a whole number from 0 to 10")]
    [InlineData("escalationPolicies[0].ackTimeoutMinutes", "0", "escalationPolicies[0].ackTimeoutMinutes: must be a number of minutes, more than 0 and at most 10080 (a week)")]
    [InlineData("escalationPolicies[0].autoResolve", "\"yes\"", "escalationPolicies[0].autoResolve: must be true or false")]
    [InlineData("escalationPolicies[0].maxNotifications", "0", "escalationPolicies[0].maxNotifications: must be a whole number from 1 to 1000")]
    [InlineData("escalationPolicies[0].maxNotifications", "1001", "escalationPolicies[0].maxNotifications: must be a whole number from 1 to 1000")]
    [InlineData("services[0].team", "\"infra\"", "services[0].team: unknown team 'infra'")]
    [InlineData("services[0].escalationPolicy", "\"paging\"", "services[0].escalationPolicy: unknown escalation policy 'paging'")]
    [InlineData("services[0].impactTier", "4", "services[0].impactTier: must be a whole number from 1 to 3")]
    [InlineData("services[0].impactTier", null, "services[0].impactTier: is required")]
    [InlineData("routes[0].service", "\"payments\"", "routes[0].service: unknown service 'payments'")]
    [InlineData("routes[0].match.severity[0]", "\"fatal\"", "routes[0].match.severity[0]: must be one of critical, high, warning, info")]
    [InlineData("routes[0].match.severity", "[]", "routes[0].match.severity: must not be empty")]
    [InlineData("routes[0].match.severity", "\"critical\"", "routes[0].match.severity: must be an array, not a string")]
    [InlineData("routes[0].match.labels.service", "1", "routes[0].match.labels.service: must be a string, not a number")]
    [InlineData("routes[0].match.integration", "\"not valid!\"", "routes[0].match.integration: must be an integration name: 1-64 letters, digits, '-' or '_'")]
    [InlineData("routes[0].match.service", "\"checkout\"", "routes[0].match.service: unknown property; expected one of integration, severity, labels")]
    [InlineData("maintenanceWindows", """[{ "id": "w", "start": "2026-11-27T01:00:00", "end": "2026-11-27T03:00:00Z" }]""", "maintenanceWindows[0].start: must be an ISO 8601 date and time with an offset, e.g. 2026-11-27T01:00:00Z")]
    [InlineData("maintenanceWindows", """[{ "id": "w", "start": "2026-11-27T03:00:00Z", "end": "2026-11-27T01:00:00Z" }]""", "maintenanceWindows[0].end: must be after start, and at most 31 days after it")]
    [InlineData("maintenanceWindows", """[{ "id": "w", "start": "2026-11-27T01:00:00Z", "end": "2027-01-27T01:00:00Z" }]""", "maintenanceWindows[0].end: must be after start, and at most 31 days after it")]
    [InlineData("maintenanceWindows", """[{ "id": "w", "start": "2026-11-27T01:00:00Z" }]""", "maintenanceWindows[0].end: is required")]
    [InlineData("maintenanceWindows", """[{ "id": "w", "start": "2026-11-27T01:00:00+01:00", "end": "2026-11-27T03:00Z", "services": ["payments"] }]""", "maintenanceWindows[0].services[0]: unknown service 'payments'")]
    [InlineData("maintenanceWindows", """[{ "id": "w", "start": "2026-11-27T01:00:00Z", "end": "2026-11-27T03:00:00Z", "match": { "labels": { "db": 1 } } }]""", "maintenanceWindows[0].match.labels.db: must be a string, not a number")]
    [InlineData("maintenanceWindows", """[{ "id": "w", "start": "2026-11-27T01:00:00Z", "until": "2026-11-27T03:00:00Z", "end": "2026-11-27T03:00:00Z" }]""", "maintenanceWindows[0].until: unknown property; expected one of id, reason, start, end, match, services")]
    [InlineData("maintenanceWindows", """[{ "id": "w", "start": "2026-11-27T01:00:00Z", "end": "2026-11-27T03:00:00Z" }, { "id": "w", "start": "2026-11-28T01:00:00Z", "end": "2026-11-28T03:00:00Z" }]""", "maintenanceWindows[0].id: duplicate id 'w' (also maintenanceWindows[1])")]
    [InlineData("defaultService", "\"payments\"", "defaultService: unknown service 'payments'")]
    [InlineData("defaultService", null, "defaultService: is required")]
    [InlineData("version", "5", "version: must be a string, not a number")]
    public void ABrokenRuleIsReportedOnceAtItsPath(string path, string? value, string expected) =>
        Assert.Equal(expected, Assert.Single(Errors(Edit(Valid, (path, value)))));

    /// <summary>One object id is one person: two people with it would make a signed-in caller ambiguous.</summary>
    [Fact]
    public void AnObjectIdOfTwoPeopleIsReportedAtBothPlacesWhateverTheCase()
    {
        var errors = Errors(Edit(Valid,
            ("people[0].objectId", "\"6f1c2b9e-53a4-4f0e-9d3c-2a7b8e1f4c55\""),
            ("people[1].objectId", "\"6F1C2B9E-53A4-4F0E-9D3C-2A7B8E1F4C55\"")));

        Assert.Equal(["people[0].objectId: duplicate objectId '6f1c2b9e-53a4-4f0e-9d3c-2a7b8e1f4c55' (also people[1].objectId)"], errors);
    }

    [Fact]
    public void APersonsObjectIdFindsThemAsDoesTheirEmailInAnyCase()
    {
        var policy = PolicyParser.Parse(Edit(Valid, ("people[1].objectId", "\"6F1C2B9E-53A4-4F0E-9D3C-2A7B8E1F4C55\"")), Source);

        Assert.Equal("bob", policy.People.Find("6f1c2b9e-53a4-4f0e-9d3c-2a7b8e1f4c55", email: null));
        Assert.Equal("alice", policy.People.Find(objectId: null, "ALICE@example.com"));
        Assert.Equal("bob", policy.People.Find("6f1c2b9e-53a4-4f0e-9d3c-2a7b8e1f4c55", "alice@example.com"));
        Assert.Null(policy.People.Find("not-a-guid", "carol@example.com"));
    }

    [Fact]
    public void AnUnknownTeamInAServiceNamesTheServicePath() =>
        Assert.Equal("services[0].team: unknown team 'infra'", Assert.Single(Errors(Edit(Valid, ("services[0].team", "\"infra\"")))));

    [Fact]
    public void AnInvalidPersonIsStillKnownSoReferencesToItAreNotReportedAgain()
    {
        var errors = Errors(Edit(Valid, ("people[0].email", "\"nope\""), ("people[0].timeZone", "\"Nowhere/Else\"")));

        Assert.Equal(["people[0].email: must be an email address", "people[0].timeZone: must be an IANA time zone id such as Europe/London, spelled exactly"], errors);
    }

    [Fact]
    public void EveryBrokenRuleIsReportedAtOnceInOneException()
    {
        var json = Edit(
            Valid,
            ("people[1].email", "\"bob\""),
            ("teams[0].members[1]", "\"dave\""),
            ("escalationPolicies[0].levels[1].targets[0]", "{}"),
            ("services[0].team", "\"infra\""),
            ("routes[0].match.severity[0]", "\"fatal\""));

        var exception = Assert.Throws<InvalidPolicyException>(() => PolicyParser.Parse(json, Source));

        string[] expected =
        [
            "people[1].email: must be an email address",
            "teams[0].members[1]: unknown person 'dave'",
            "escalationPolicies[0].levels[1].targets[0]: must name exactly one of person or team",
            "services[0].team: unknown team 'infra'",
            "routes[0].match.severity[0]: must be one of critical, high, warning, info",
        ];
        Assert.Equal(expected, exception.Errors.Select(e => $"{e.Field}: {e.Message}"));
        Assert.Equal(Source, exception.PolicySource);
        var lines = exception.Message.Split(Environment.NewLine);
        Assert.StartsWith(Source + ": ", lines[0]);
        Assert.Contains("5 errors", lines[0]);
        Assert.Equal(expected, lines[1..]);
    }

    [Fact]
    public void ADuplicatedIdNamesEveryOtherPlaceItIsDeclared()
    {
        var bob = """{ "id": "bob", "name": "Bob again", "email": "bob2@example.com", "timeZone": "UTC" }""";

        var errors = Errors(Edit(Valid, ("people[2]", bob), ("people[3]", bob)));

        Assert.Equal("people[1].id: duplicate id 'bob' (also people[2], people[3])", Assert.Single(errors));
    }

    [Fact]
    public void APropertyGivenTwiceIsRefusedRatherThanOneCopyWinning()
    {
        var json = Valid.Replace("\"name\": \"Alice\",", "\"name\": \"Alice\", \"name\": \"Alicia\",", StringComparison.Ordinal);

        Assert.Equal("people[0].name: appears more than once", Assert.Single(Errors(json)));
    }

    [Fact]
    public void MalformedJsonIsRefusedWithItsLineAndPosition()
    {
        var json = "{\n  \"version\": \"t1\",\n  \"people\": [ }\n}";

        var error = Assert.Single(Errors(json));

        Assert.StartsWith("line 3, position 15: ", error);
        Assert.DoesNotContain("LineNumber", error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("\"policy\"")]
    public void APolicyThatIsNotAnObjectIsRefused(string json) =>
        Assert.Single(Assert.Throws<InvalidPolicyException>(() => PolicyParser.Parse(json, Source)).Errors);

    [Fact]
    public void AByteOrderMarkIsAccepted()
    {
        var bytes = Encoding.UTF8.Preamble.ToArray().Concat(Encoding.UTF8.GetBytes(Valid)).ToArray();

        Assert.StartsWith("t1+", PolicyParser.Parse(bytes, Source).Version);
    }

    internal static IReadOnlyList<string> Errors(string json)
    {
        var exception = Assert.Throws<InvalidPolicyException>(() => PolicyParser.Parse(json, Source));
        return exception.Errors.Select(e => $"{e.Field}: {e.Message}").ToArray();
    }

    /// <summary>
    /// Sets each path (such as <c>teams[0].members[2]</c>) to a JSON value, or removes a property when the value is null. An
    /// index one past the end of an array appends.
    /// </summary>
    internal static string Edit(string json, params (string Path, string? Value)[] edits)
    {
        var root = JsonNode.Parse(json)!;
        foreach (var (path, value) in edits)
        {
            var steps = PathStep().Matches(path).Select(m => m.Groups["name"].Success ? (object)m.Groups["name"].Value : int.Parse(m.Groups["index"].Value)).ToArray();
            var parent = steps[..^1].Aggregate(root, (node, step) => step is int i ? node[i]! : node[(string)step]!);
            var replacement = value is null ? null : JsonNode.Parse(value);
            switch (steps[^1], value)
            {
                case (string name, null):
                    parent.AsObject().Remove(name);
                    break;
                case (string name, _):
                    parent[name] = replacement;
                    break;
                case (int index, _) when index == parent.AsArray().Count:
                    parent.AsArray().Add(replacement);
                    break;
                case (int index, _):
                    parent[index] = replacement;
                    break;
            }
        }

        return root.ToJsonString();
    }

    [GeneratedRegex(@"(?<name>[A-Za-z][A-Za-z0-9]*)|\[(?<index>\d+)\]")]
    private static partial Regex PathStep();
}
