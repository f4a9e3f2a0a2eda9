using IncidentFunctions.Model;
using IncidentFunctions.Policy;

namespace IncidentFunctions.Tests.Unit.Orchestration;

/// <summary>People, levels and plans for orchestration tests, with delays short enough to run in milliseconds.</summary>
public static class TestEscalation
{
    /// <summary>A level delay that elapses while a test watches: 0.002 minutes, 120 ms.</summary>
    public const double Quick = 0.002;

    /// <summary>A level delay no test outlives: whatever happens next is the test's doing, not a timer's.</summary>
    public const double Long = 60;

    public static readonly Recipient Alice = Person("alice");
    public static readonly Recipient Bob = Person("bob");
    public static readonly Recipient Carol = Person("carol");

    public static IReadOnlyList<Recipient> Team { get; } = [Alice, Bob, Carol];

    public static EscalationLevel Level(double delayMinutes, params Recipient[] recipients) => new(recipients, delayMinutes);

    /// <summary>Once through the levels, no acknowledgement timeout, auto-resolving, a budget no test reaches.</summary>
    public static EscalationPlan Plan(params EscalationLevel[] levels) =>
        new("test", levels, Repeat: 0, AckTimeoutMinutes: null, AutoResolve: true, Team, MaxNotifications: 100);

    /// <summary>
    /// Waits until the clock has passed <paramref name="moment"/>. Showing that a page did not happen needs the moment it
    /// would have been due to pass first; this waits for that known moment, not for a guessed while.
    /// </summary>
    public static async Task PassedAsync(DateTimeOffset moment)
    {
        var left = moment - DateTimeOffset.UtcNow;
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left + TimeSpan.FromMilliseconds(1));
        }
    }

    static Recipient Person(string id) => new(id, char.ToUpperInvariant(id[0]) + id[1..], $"{id}@example.com", "UTC");
}
