using IncidentFunctions.Model;
using IncidentFunctions.Policy;
using static IncidentFunctions.Tests.Unit.PolicyValidationTests;

namespace IncidentFunctions.Tests.Unit;

/// <summary>The policy's response sections: incident roles, categories and playbooks, communication, stakeholders, reminders.</summary>
public sealed class PolicyResponseTests
{
    const string Source = "response-policy.json";

    /// <summary>Valid as it stands, with every response section; each test breaks or removes one thing.</summary>
    const string Valid = """
        {
          "version": "r1",
          "people": [
            { "id": "alice", "name": "Alice", "email": "alice@example.com", "timeZone": "Europe/London" },
            { "id": "bob", "name": "Bob", "email": "bob@example.com", "timeZone": "America/New_York" },
            { "id": "carol", "name": "Carol", "email": "carol@example.com", "timeZone": "Asia/Tokyo" }
          ],
          "teams": [
            { "id": "platform", "name": "Platform", "members": ["alice", "bob"] },
            { "id": "leadership", "name": "Leadership", "members": ["carol", "alice"] }
          ],
          "escalationPolicies": [ { "id": "default", "levels": [ { "targets": [ { "person": "alice" } ], "delayMinutes": 1 } ] } ],
          "services": [
            { "id": "checkout", "name": "Checkout", "team": "platform", "impactTier": 1, "escalationPolicy": "default" },
            { "id": "wiki", "name": "Wiki", "team": "platform", "impactTier": 3, "escalationPolicy": "default" }
          ],
          "defaultService": "checkout",
          "incidentRoles": [
            { "id": "commander", "name": "Incident commander", "instructions": "Lead.", "required": true, "multiple": false },
            { "id": "communications", "name": "Communications lead", "required": true },
            { "id": "scribe", "name": "Scribe", "multiple": true }
          ],
          "categories": [
            { "id": "outage", "name": "Service outage", "description": "Customers cannot use a service.", "visibility": "standard",
              "initialStage": "investigating",
              "playbook": [
                { "title": "Post the first stakeholder update", "assignee": { "role": "communications" }, "priority": "high",
                  "dueMinutes": 15, "required": true, "link": "https://wiki.example.com/outage" },
                { "title": "Check recent deploys", "assignee": { "person": "bob" }, "dueMinutes": 0.5 }
              ] },
            { "id": "security", "name": "Security incident", "visibility": "restricted", "initialStage": "triage", "playbook": [] }
          ],
          "communication": {
            "P1": { "internalMinutes": 20, "stakeholderMinutes": 45, "requiredRolesWithinMinutes": 0.1 },
            "P3": { "internalMinutes": 120 }
          },
          "stakeholders": [
            { "services": ["checkout"], "priorities": ["P1", "P2"], "targets": [ { "person": "carol" }, { "email": "leadership@example.com" } ] },
            { "priorities": ["P1"], "targets": [ { "team": "leadership" } ] }
          ],
          "taskReminderMinutes": 0.25
        }
        """;

    /// <summary>The same people, teams and services with no response section at all.</summary>
    const string Bare = """
        {
          "people": [ { "id": "alice", "name": "Alice", "email": "alice@example.com", "timeZone": "Europe/London" } ],
          "teams": [ { "id": "platform", "name": "Platform", "members": ["alice"] } ],
          "escalationPolicies": [ { "id": "default", "levels": [ { "targets": [ { "person": "alice" } ], "delayMinutes": 1 } ] } ],
          "services": [ { "id": "checkout", "name": "Checkout", "team": "platform", "impactTier": 1, "escalationPolicy": "default" } ],
          "defaultService": "checkout"
        }
        """;

    static ResponsePolicy Parse(string json) => PolicyParser.Parse(json, Source).Response;

    [Fact]
    public void APolicyWithoutResponseSectionsGetsTheDefaults()
    {
        var response = Parse(Bare);

        Assert.Equal(["commander", "communications", "scribe"], response.Roles.Select(r => r.Id));
        Assert.Equal((true, false), (response.Role("commander")!.Required, response.Role("commander")!.Multiple));
        Assert.Empty(response.Categories);
        Assert.Equal(new CommunicationCadence(30, 60, 10), response.Communication(Priority.P1));
        Assert.Equal(new CommunicationCadence(null, null, null), response.Communication(Priority.P4));
        Assert.Empty(response.StakeholdersFor("checkout", Priority.P1));
        Assert.Equal(15, response.TaskReminderMinutes);
    }

    [Fact]
    public void TheSectionsAreReadAsWritten()
    {
        var response = Parse(Valid);

        Assert.Equal(["commander", "communications", "scribe"], response.Roles.Select(r => r.Id));
        Assert.Equal(new IncidentRole("communications", "Communications lead", null, Required: true, Multiple: false), response.Role("communications"));
        Assert.Equal(new IncidentRole("scribe", "Scribe", null, Required: false, Multiple: true), response.Role("scribe"));
        var outage = response.Category("outage")!;
        Assert.Equal(("Service outage", Visibility.Standard, Stage.Investigating), (outage.Name, outage.Visibility, outage.InitialStage));
        Assert.Equal(
            new PlaybookStep("Post the first stakeholder update", null, TaskAssignee.ToRole("communications"), TaskPriority.High, 15, true, "https://wiki.example.com/outage"),
            outage.Playbook[0]);
        Assert.Equal(new PlaybookStep("Check recent deploys", null, TaskAssignee.ToPerson("bob"), TaskPriority.Medium, 0.5, false, null), outage.Playbook[1]);
        var security = response.Category("security")!;
        Assert.Equal((Visibility.Restricted, Stage.Triage, 0), (security.Visibility, security.InitialStage, security.Playbook.Count));
        Assert.Null(response.Category("hr"));
        Assert.Equal(0.25, response.TaskReminderMinutes);
    }

    [Fact]
    public void AListedPriorityIsTakenAsWrittenAndAnUnlistedOneKeepsItsDefault()
    {
        var response = Parse(Valid);

        Assert.Equal(new CommunicationCadence(20, 45, 0.1), response.Communication(Priority.P1));
        Assert.Equal(new CommunicationCadence(60, 120, 30), response.Communication(Priority.P2));
        Assert.Equal(new CommunicationCadence(120, null, null), response.Communication(Priority.P3));
    }

    [Fact]
    public void TheCommanderIsAddedFirstWhenTheListedRolesLeaveItOut()
    {
        var response = Parse(Edit(Valid, ("incidentRoles", """[ { "id": "communications", "name": "Comms" }, { "id": "scribe", "name": "Scribe" } ]""")));

        Assert.Equal(["commander", "communications", "scribe"], response.Roles.Select(r => r.Id));
        Assert.Equal(ResponsePolicy.DefaultCommander, response.Role("commander"));
    }

    [Fact]
    public void TheCommanderMayBeRenamedAndIsRequiredWithoutSayingSo()
    {
        var response = Parse(Edit(Valid, ("incidentRoles[0]", """{ "id": "commander", "name": "Incident lead" }""")));

        Assert.Equal(new IncidentRole("commander", "Incident lead", null, Required: true, Multiple: false), response.Roles[0]);
    }

    [Fact]
    public void StakeholdersAreEveryMatchingRulesTargetsEachAddressOnce()
    {
        var response = Parse(Valid);

        Assert.Equal(
            ["carol@example.com", "leadership@example.com", "alice@example.com"],
            response.StakeholdersFor("checkout", Priority.P1).Select(s => s.Email));
        Assert.Equal(["carol@example.com", "leadership@example.com"], response.StakeholdersFor("checkout", Priority.P2).Select(s => s.Email));
        Assert.Equal(["carol@example.com", "alice@example.com"], response.StakeholdersFor("wiki", Priority.P1).Select(s => s.Email));
        Assert.Empty(response.StakeholdersFor("wiki", Priority.P2));
        Assert.Equal(new Stakeholder("carol@example.com", "Carol", "carol"), response.StakeholdersFor("wiki", Priority.P1)[0]);
        Assert.Equal(new Stakeholder("leadership@example.com", "leadership@example.com", null), response.StakeholdersFor("checkout", Priority.P2)[1]);
    }

    [Theory]
    [InlineData("incidentRoles[3]", """{ "id": "commander", "name": "Again" }""", "incidentRoles[0].id: duplicate id 'commander' (also incidentRoles[3])")]
    [InlineData("incidentRoles[0].required", "false", "incidentRoles[0].required: the commander role is always required")]
    [InlineData("incidentRoles[0].multiple", "true", "incidentRoles[0].multiple: the commander role always has one holder")]
    [InlineData("incidentRoles[2].id", "\"comms lead\"", "incidentRoles[2].id: must be 1-64 letters, digits, '.', '_' or '-'")]
    [InlineData("incidentRoles[1].name", null, "incidentRoles[1].name: is required")]
    [InlineData("incidentRoles[1].required", "\"yes\"", "incidentRoles[1].required: must be true or false")]
    [InlineData("incidentRoles[1].holders", "2", "incidentRoles[1].holders: unknown property; expected one of id, name, instructions, required, multiple")]
    [InlineData("incidentRoles", "{}", "incidentRoles: must be an array, not an object")]
    [InlineData("categories[1].id", "\"outage\"", "categories[0].id: duplicate id 'outage' (also categories[1])")]
    [InlineData("categories[0].name", null, "categories[0].name: is required")]
    [InlineData("categories[0].visibility", "\"secret\"", "categories[0].visibility: must be one of standard, restricted")]
    [InlineData("categories[0].initialStage", "\"started\"", "categories[0].initialStage: unknown stage 'started'; an incident can start in triage, investigating, identified")]
    [InlineData("categories[0].initialStage", "\"mitigated\"", "categories[0].initialStage: an incident cannot start in mitigated; it can start in triage, investigating, identified")]
    [InlineData("categories[0].initialStage", "\"closed\"", "categories[0].initialStage: an incident cannot start in closed; it can start in triage, investigating, identified")]
    [InlineData("categories[0].playbook[0].assignee.role", "\"legal\"", "categories[0].playbook[0].assignee.role: unknown role 'legal'")]
    [InlineData("categories[0].playbook[1].assignee.person", "\"dave\"", "categories[0].playbook[1].assignee.person: unknown person 'dave'")]
    [InlineData("categories[0].playbook[1].assignee", """{ "team": "platform" }""", "categories[0].playbook[1].assignee.team: unknown property; expected one of person, role")]
    [InlineData("categories[0].playbook[1].assignee", """{ "person": "bob", "role": "scribe" }""", "categories[0].playbook[1].assignee: must name exactly one of person or role")]
    [InlineData("categories[0].playbook[0].title", "\" \"", "categories[0].playbook[0].title: must not be empty")]
    [InlineData("categories[0].playbook[0].priority", "\"p1\"", "categories[0].playbook[0].priority: must be one of urgent, high, medium, low")]
    [InlineData("categories[0].playbook[0].dueMinutes", "-5", "categories[0].playbook[0].dueMinutes: must be a number of minutes, more than 0 and at most 10080 (a week)")]
    [InlineData("categories[0].playbook[0].required", "1", "categories[0].playbook[0].required: must be true or false")]
    [InlineData("categories[0].playbook[0].link", "\"wiki/outage\"", "categories[0].playbook[0].link: must be an absolute http or https URL")]
    [InlineData("categories[0].playbook[0].owner", "\"bob\"", "categories[0].playbook[0].owner: unknown property; expected one of title, description, assignee, priority, dueMinutes, required, link")]
    [InlineData("communication.P5", "{}", "communication.P5: unknown property; expected one of P1, P2, P3, P4")]
    [InlineData("communication.P1.internalMinutes", "-1", "communication.P1.internalMinutes: must be a number of minutes, more than 0 and at most 10080 (a week)")]
    [InlineData("communication.P1.stakeholderMinutes", "0", "communication.P1.stakeholderMinutes: must be a number of minutes, more than 0 and at most 10080 (a week)")]
    [InlineData("communication.P1.requiredRolesWithinMinutes", "\"10\"", "communication.P1.requiredRolesWithinMinutes: must be a number of minutes, more than 0 and at most 10080 (a week)")]
    [InlineData("communication.P1.externalMinutes", "5", "communication.P1.externalMinutes: unknown property; expected one of internalMinutes, stakeholderMinutes, requiredRolesWithinMinutes")]
    [InlineData("communication", "[]", "communication: must be an object, not an array")]
    [InlineData("stakeholders[0].targets[0].person", "\"dave\"", "stakeholders[0].targets[0].person: unknown person 'dave'")]
    [InlineData("stakeholders[1].targets[0].team", "\"board\"", "stakeholders[1].targets[0].team: unknown team 'board'")]
    [InlineData("stakeholders[0].targets[1].email", "\"leadership\"", "stakeholders[0].targets[1].email: must be an email address")]
    [InlineData("stakeholders[0].targets[1]", """{ "email": "x@example.com", "team": "leadership" }""", "stakeholders[0].targets[1]: must name exactly one of person, team or email")]
    [InlineData("stakeholders[0].targets", "[]", "stakeholders[0].targets: must not be empty")]
    [InlineData("stakeholders[0].targets", null, "stakeholders[0].targets: is required")]
    [InlineData("stakeholders[0].services[0]", "\"payments\"", "stakeholders[0].services[0]: unknown service 'payments'")]
    [InlineData("stakeholders[0].services", "[]", "stakeholders[0].services: must not be empty")]
    [InlineData("stakeholders[0].priorities[1]", "\"P0\"", "stakeholders[0].priorities[1]: must be one of P1, P2, P3, P4")]
    [InlineData("stakeholders[0].severity", "[]", "stakeholders[0].severity: unknown property; expected one of services, priorities, targets")]
    [InlineData("taskReminderMinutes", "-15", "taskReminderMinutes: must be a number of minutes, more than 0 and at most 10080 (a week)")]
    [InlineData("taskReminderMinutes", "0", "taskReminderMinutes: must be a number of minutes, more than 0 and at most 10080 (a week)")]
    public void ABrokenResponseRuleIsReportedOnceAtItsPath(string path, string? value, string expected) =>
        Assert.Equal(expected, Assert.Single(Errors(Edit(Valid, (path, value)))));

    [Fact]
    public void APlaybookOfMoreTasksThanOneStorageBatchHoldsIsRefused()
    {
        var steps = string.Join(", ", Enumerable.Range(1, PolicyParser.MaxPlaybookSteps + 1).Select(i => $$"""{ "title": "Step {{i}}" }"""));

        Assert.Equal(
            $"categories[1].playbook: must have at most {PolicyParser.MaxPlaybookSteps} tasks",
            Assert.Single(Errors(Edit(Valid, ("categories[1].playbook", $"[{steps}]")))));
    }

    [Fact]
    public void APlaybookMayAssignTheCommanderWhenTheFileDoesNotListIt()
    {
        var json = Edit(
            Valid,
            ("incidentRoles", """[ { "id": "communications", "name": "Comms" } ]"""),
            ("categories[0].playbook[1].assignee", """{ "role": "commander" }"""));

        Assert.Equal(TaskAssignee.ToRole("commander"), Parse(json).Category("outage")!.Playbook[1].Assignee);
    }

    [Fact]
    public void APlaybookAssigningARoleTheListedRolesLeaveOutIsRefused() =>
        Assert.Equal(
            "categories[0].playbook[0].assignee.role: unknown role 'communications'",
            Assert.Single(Errors(Edit(Valid, ("incidentRoles", """[ { "id": "scribe", "name": "Scribe" } ]""")))));
}
