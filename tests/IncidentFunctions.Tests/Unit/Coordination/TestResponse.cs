using IncidentFunctions.Policy;

namespace IncidentFunctions.Tests.Unit.Coordination;

/// <summary>A policy with the response sections the coordination tests use, read by the real parser.</summary>
internal static class TestResponse
{
    public static readonly DateTimeOffset Opened = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);

    public static readonly ResponsePolicy Response = PolicyParser.Parse(
        """
        {
          "people": [ { "id": "alice", "name": "Alice", "email": "alice@example.com", "timeZone": "Europe/London" } ],
          "teams": [ { "id": "platform", "name": "Platform", "members": ["alice"] } ],
          "escalationPolicies": [ { "id": "default", "levels": [ { "targets": [ { "person": "alice" } ], "delayMinutes": 1 } ] } ],
          "services": [ { "id": "checkout", "name": "Checkout", "team": "platform", "impactTier": 1, "escalationPolicy": "default" } ],
          "defaultService": "checkout",
          "incidentRoles": [
            { "id": "communications", "name": "Communications lead", "required": true },
            { "id": "ops-lead", "name": "Operations lead", "required": true },
            { "id": "scribe", "name": "Scribe", "multiple": true }
          ],
          "categories": [
            { "id": "outage", "name": "Outage", "playbook": [
                { "title": "First stakeholder update", "assignee": { "role": "communications" }, "priority": "high", "dueMinutes": 15, "required": true },
                { "title": "Check deploys", "assignee": { "person": "alice" }, "link": "https://deploys.example.com" } ] },
            { "id": "security", "name": "Security", "visibility": "restricted", "playbook": [
                { "title": "Preserve evidence", "assignee": { "role": "ops-lead" }, "priority": "urgent", "dueMinutes": 30, "required": true } ] }
          ],
          "taskReminderMinutes": 10
        }
        """,
        "coordination-tests").Response;

    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Holders(params (string Role, string[] People)[] roles) =>
        roles.ToDictionary(r => r.Role, r => (IReadOnlyList<string>)r.People);
}
