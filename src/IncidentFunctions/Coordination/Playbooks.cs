using IncidentFunctions.Model;
using IncidentFunctions.Policy;

namespace IncidentFunctions.Coordination;

/// <summary>A task a playbook creates, ready to store under its <see cref="Id"/>.</summary>
public sealed record TaskDraft(
    string Id,
    string Title,
    string? Description,
    TaskAssignee? Assignee,
    TaskPriority Priority,
    DateTimeOffset? DueAt,
    bool Required,
    string? Link,
    string Category);

/// <summary>
/// What setting a category does: the tasks to create (none when its playbook was applied before:
/// <see cref="AlreadyApplied"/>) and the categories whose playbooks the incident has had, this one included.
/// </summary>
public sealed record PlaybookApplication(string Category, bool AlreadyApplied, IReadOnlyList<TaskDraft> Tasks, IReadOnlyList<string> PlaybooksApplied);

/// <summary>
/// Applying a category's playbook, once per category and incident: changing the category later adds the new category's
/// tasks (those of the old one stay, they may be under way); setting a category again adds nothing.
/// </summary>
public static class Playbooks
{
    /// <summary>
    /// The id of a playbook's task: its category and place, so a retried apply (an activity run twice, a request sent
    /// again) writes the same task rather than a second one. Playbook ids never clash with people's tasks, whose ids
    /// the API chooses otherwise.
    /// </summary>
    public static string TaskId(string category, int index) => $"playbook-{category}-{index + 1}";

    /// <summary>
    /// The tasks of <paramref name="category"/>'s playbook, due their minutes after <paramref name="at"/> (when the
    /// category was set), unless <paramref name="applied"/> (the incident's PlaybooksApplied) already lists it.
    /// </summary>
    public static Decision<PlaybookApplication> Apply(ResponsePolicy policy, string category, IReadOnlyList<string> applied, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(applied);
        if (policy.Category(category) is not { } found)
        {
            return new Refusal(
                "category",
                policy.Categories.Count == 0
                    ? $"unknown category '{category}'; the policy has no categories"
                    : $"unknown category '{category}'; expected one of {string.Join(", ", policy.Categories.Select(c => c.Id))}");
        }

        if (applied.Contains(category, StringComparer.Ordinal))
        {
            return new PlaybookApplication(category, AlreadyApplied: true, [], applied);
        }

        var tasks = found.Playbook
            .Select((step, i) => new TaskDraft(
                TaskId(category, i),
                step.Title,
                step.Description,
                step.Assignee,
                step.Priority,
                step.DueMinutes is { } minutes ? at + TimeSpan.FromMinutes(minutes) : null,
                step.Required,
                step.Link,
                category))
            .ToArray();
        return new PlaybookApplication(category, AlreadyApplied: false, tasks, [.. applied, category]);
    }
}
