using System.Text.Json;
using System.Text.Json.Nodes;

namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>One escalation level: who is paged, and the wait before the next level (seconds, so tests run in seconds).</summary>
public sealed record TestLevel(string[] Targets, double DelaySeconds);

/// <summary>
/// Policy files for tests: three people and one team, with escalation shaped per test. People's addresses carry a
/// suffix unique to the test, so tests sharing one MailDev never read each other's mail.
/// </summary>
public sealed class TestPolicy
{
    public string Suffix { get; } = Guid.NewGuid().ToString("N")[..8];

    public IReadOnlyList<TestLevel> Levels { get; init; } = [new(["person:alice"], 600)];

    public int Repeat { get; init; }

    public double? AckTimeoutSeconds { get; init; }

    public bool AutoResolve { get; init; } = true;

    public int MaxNotifications { get; init; } = 100;

    /// <summary>Maintenance windows, each applying to every alert between its start and end.</summary>
    public IReadOnlyList<(string Id, DateTimeOffset Start, DateTimeOffset End)> MaintenanceWindows { get; init; } = [];

    /// <summary>
    /// Top-level sections of the response part of the policy (incidentRoles, communication, taskReminderMinutes, ...),
    /// written as given; absent ones get the policy's defaults.
    /// </summary>
    public IReadOnlyDictionary<string, object> Response { get; init; } = new Dictionary<string, object>();

    public string Email(string person) => $"{person}.{Suffix}@example.com";

    public static readonly string[] People = ["alice", "bob", "carol"];

    public string Json
    {
        get
        {
            var json = JsonSerializer.SerializeToNode(Escalation)!.AsObject();
            foreach (var (name, section) in Response)
            {
                json[name] = JsonSerializer.SerializeToNode(section);
            }

            return json.ToJsonString();
        }
    }

    object Escalation => new
    {
        version = "test-" + Suffix,
        people = People.Select(p => new { id = p, name = char.ToUpperInvariant(p[0]) + p[1..], email = Email(p), timeZone = "Europe/London" }),
        teams = new[] { new { id = "platform", name = "Platform", members = People } },
        escalationPolicies = new[]
        {
            new
            {
                id = "test",
                levels = Levels.Select(l => new
                {
                    targets = l.Targets.Select(t => t.StartsWith("team:", StringComparison.Ordinal)
                        ? (object)new { team = t["team:".Length..] }
                        : new { person = t["person:".Length..] }),
                    delayMinutes = l.DelaySeconds / 60,
                }),
                repeat = Repeat,
                ackTimeoutMinutes = AckTimeoutSeconds / 60,
                autoResolve = AutoResolve,
                maxNotifications = MaxNotifications,
            },
        },
        services = new[] { new { id = "checkout", name = "Checkout", team = "platform", impactTier = 1, escalationPolicy = "test" } },
        routes = Array.Empty<object>(),
        defaultService = "checkout",
        maintenanceWindows = MaintenanceWindows.Select(w => new { id = w.Id, reason = "test maintenance", start = w.Start.ToString("O"), end = w.End.ToString("O") }),
    };
}
