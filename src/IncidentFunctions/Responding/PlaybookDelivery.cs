using IncidentFunctions.Coordination;
using IncidentFunctions.Incidents;
using IncidentFunctions.Model;
using IncidentFunctions.Policy;

namespace IncidentFunctions.Responding;

/// <summary>
/// Applies a category's playbook when an incident is categorized (the incident.categorized event, data "category"):
/// creates its tasks under their playbook ids, then, in one editor write by the system, records playbook.applied (which
/// tasks, and whether they add to an earlier playbook's) and adds the category to the response's PlaybooksApplied.
/// <list type="bullet">
/// <item>Once per category and incident (<see cref="Playbooks.Apply"/>): a category set again adds nothing.</item>
/// <item>Safe to run twice: tasks are written first, under ids the category and the step fix, so a run that died after
/// them is finished by the next (which finds them stored and writes the record); once PlaybooksApplied lists the
/// category, a run does nothing.</item>
/// <item>A category the policy no longer has applies nothing: the event stays as it is, the response unchanged.</item>
/// </list>
/// </summary>
public sealed class PlaybookDelivery(IncidentStore incidents, TaskStore tasks, IncidentEditor editor, PolicyProvider policy) : IChangeDelivery
{
    public bool Handles(string eventType) => eventType == TimelineEventTypes.IncidentCategorized;

    public async Task DeliverAsync(IncidentEntity incident, TimelineEvent recorded, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(recorded);
        if (recorded.Data?.GetValueOrDefault("category") is not { Length: > 0 } category)
        {
            return;
        }

        var response = policy.Current.Response;
        var current = await incidents.FindAsync(incident.Id, ct) ?? incident;
        var application = Playbooks.Apply(response, category, current.ResponseValue.PlaybooksApplied, recorded.At);
        if (application.Accepted is not { AlreadyApplied: false } planned)
        {
            return;
        }

        var room = TaskStore.MaxTasksPerIncident - (await tasks.ListAsync(incident.Id, ct)).Count;
        var created = new List<TaskDraft>();
        foreach (var draft in planned.Tasks)
        {
            if (await tasks.FindAsync(incident.Id, draft.Id, ct) is not null)
            {
                created.Add(draft);
            }
            else if (room > 0)
            {
                // False: a run beside this one stored it first, which is as good.
                if (await tasks.TryAddAsync(incident.Id, TaskOf(draft, recorded.At), ct))
                {
                    room--;
                }

                created.Add(draft);
            }
        }

        await editor.EditAsSystemAsync(incident.Id, (row, _) => Applied(row.ResponseValue, response, category, created, planned.Tasks.Count, recorded.At), AlreadyListening, ct);
    }

    /// <summary>
    /// The change that records a playbook applied: decided again on the row as it is now, so that of two runs only the
    /// first records it.
    /// </summary>
    public static Decision<Change> Applied(IncidentResponse response, ResponsePolicy policy, string category, IReadOnlyList<TaskDraft> created, int planned, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(created);
        var decided = Playbooks.Apply(policy, category, response.PlaybooksApplied, at);
        if (decided.Accepted is not { AlreadyApplied: false } application)
        {
            return Change.Nothing(response);
        }

        var name = policy.Category(category)?.Name ?? category;
        var earlier = response.PlaybooksApplied;
        var data = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["category"] = category,
            ["tasks"] = string.Join(",", created.Select(t => t.Id)),
        };
        var summary = created.Count == 0
            ? $"Playbook of {name} applied: it has no tasks"
            : $"Playbook of {name} applied: {created.Count} task{(created.Count == 1 ? string.Empty : "s")} created ({string.Join("; ", created.Select(t => t.Title))})";
        if (earlier.Count > 0)
        {
            data["addedTo"] = string.Join(",", earlier);
            summary += $", added to those of the earlier playbook{(earlier.Count == 1 ? string.Empty : "s")} of {string.Join(", ", earlier)}";
        }

        if (created.Count < planned)
        {
            data["skipped"] = (planned - created.Count).ToString(System.Globalization.CultureInfo.InvariantCulture);
            summary += $"; {planned - created.Count} not created: the incident has {TaskStore.MaxTasksPerIncident} tasks";
        }

        return new Change(response with { PlaybooksApplied = application.PlaybooksApplied }, [new ChangeNote(TimelineEventTypes.PlaybookApplied, summary, data)]);
    }

    public static IncidentTask TaskOf(TaskDraft draft, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(draft);
        return new(draft.Id, draft.Title, draft.Description, draft.Assignee, draft.Priority, draft.DueAt, IncidentTaskStatus.Open, null,
            draft.Required, draft.Link, draft.Category, at, IncidentEditor.SystemActor, at);
    }

    /// <summary>
    /// The coordination to tell of the playbook's change: none, because the caller is the coordination itself (its
    /// delivery activity), which plans its reminders again from the tasks table after delivering.
    /// </summary>
    static readonly ICoordinationSignals AlreadyListening = new NoSignal();

    sealed class NoSignal : ICoordinationSignals
    {
        public Task ChangedAsync(CoordinationChange change, CancellationToken ct) => Task.CompletedTask;
    }
}
