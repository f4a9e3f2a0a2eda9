using System.Text.Json.Serialization;
using IncidentFunctions.Access;
using IncidentFunctions.Coordination;
using IncidentFunctions.Http;
using IncidentFunctions.Model;
using IncidentFunctions.Policy;
using Microsoft.AspNetCore.Http;

namespace IncidentFunctions.Responding;

/// <summary>A task as the API returns it, with the ETag a change of it sends back in If-Match.</summary>
public sealed record TaskListing(IncidentTask Task, [property: JsonPropertyName("etag")] string ETag);

/// <summary>The task after a request, or the refusal to answer instead.</summary>
public sealed record TaskOutcome(TaskListing? Task, Problem? Refusal);

/// <summary>
/// People's work on an incident's tasks. A task lives in its own table row (changed with its own ETag, so two people
/// working on two tasks never collide); every creation and change is also a change of the incident through the
/// <see cref="IncidentEditor"/>: on its timeline, the writer a participant, the coordination told (reminders).
/// The task is written first: a crash between the two leaves a task without its event, never an event without its task.
/// </summary>
public sealed class IncidentTasks(TaskStore tasks, IncidentGate gate, IncidentEditor editor, PolicyProvider policy, TimeProvider time)
{
    public async Task<(IReadOnlyList<TaskListing>? Tasks, Problem? Refusal)> ListAsync(Caller caller, string id, CancellationToken ct)
    {
        if ((await gate.AdmitAsync(caller, Permission.Read, id, ct)).Refusal is { } refused)
        {
            return (null, refused);
        }

        return ([.. (await tasks.ListAsync(id, ct)).Select(Listing)], null);
    }

    public async Task<TaskOutcome> CreateAsync(Caller caller, string id, HttpRequest request, string? idempotencyKey, ICoordinationSignals coordination, CancellationToken ct)
    {
        if ((await gate.AdmitAsync(caller, Permission.Respond, id, ct)).Refusal is { } refused)
        {
            return new(null, refused);
        }

        var current = policy.Current;
        var (body, problem) = await RecordRequests.ReadAsync(request, (o, f) => RecordRequests.CreateTask(o, f, current.Response, current.People), ct);
        if (body is null)
        {
            return new(null, problem);
        }

        if (RecordRequests.TooLargeToStore(body, "description") is { } tooLarge)
        {
            return new(null, tooLarge);
        }

        var taskId = TaskChanges.NewId(id, caller.Key, idempotencyKey);
        if (await tasks.FindAsync(id, taskId, ct) is not { } stored)
        {
            if ((await tasks.ListAsync(id, ct)).Count >= TaskStore.MaxTasksPerIncident)
            {
                return new(null, Problem.Conflict("tasks", $"an incident has at most {TaskStore.MaxTasksPerIncident} tasks"));
            }

            await tasks.TryAddAsync(id, TaskChanges.Create(taskId, body, caller.ParticipantId, time.GetUtcNow()), ct);
            stored = (await tasks.FindAsync(id, taskId, ct))!;
        }

        var task = stored.Value;
        var edited = await editor.EditAsync(caller, Permission.Respond, id, null, (row, _) => new Change(row.ResponseValue, [TaskChanges.Created(task)]), coordination, ct);
        return edited.Refusal is { } notEdited ? new(null, notEdited) : new(Listing(stored), null);
    }

    public async Task<TaskOutcome> ChangeAsync(Caller caller, string id, string taskId, string? ifMatch, HttpRequest request, ICoordinationSignals coordination, CancellationToken ct)
    {
        if ((await gate.AdmitAsync(caller, Permission.Respond, id, ct)).Refusal is { } refused)
        {
            return new(null, refused);
        }

        var current = policy.Current;
        IReadOnlySet<string> cleared = new HashSet<string>();
        var (body, problem) = await RecordRequests.ReadAsync(request, (o, f) => RecordRequests.ChangeTask(o, f, current.Response, current.People, out cleared), ct);
        if (body is null)
        {
            return new(null, problem);
        }

        while (true)
        {
            if (!IsTaskId(taskId) || await tasks.FindAsync(id, taskId, ct) is not { } stored)
            {
                return new(null, Problem.Missing("Task", "task", taskId));
            }

            if (ifMatch is not null && !IfMatch.Matches(ifMatch, stored.ETag))
            {
                return new(null, Problem.StaleTaskETag(IfMatch.Header));
            }

            var decision = TaskChanges.Change(stored.Value, body, cleared, time.GetUtcNow());
            if (decision.Refused is { } refusal)
            {
                return new(null, IncidentEditor.ProblemOf(refusal));
            }

            var change = decision.Accepted!;
            if (RecordRequests.TooLargeToStore(change.Task, "reason") is { } tooLarge)
            {
                return new(null, tooLarge);
            }

            if (change.Note is null)
            {
                return new(Listing(stored), null);
            }

            if (!await tasks.TryReplaceAsync(id, change.Task, stored.ETag, ct))
            {
                if (ifMatch is not null)
                {
                    return new(null, Problem.StaleTaskETag(IfMatch.Header));
                }

                continue;
            }

            var edited = await editor.EditAsync(caller, Permission.Respond, id, null, (row, _) => new Change(row.ResponseValue, [change.Note]), coordination, ct);
            if (edited.Refusal is { } notEdited)
            {
                return new(null, notEdited);
            }

            return new(Listing((await tasks.FindAsync(id, taskId, ct))!), null);
        }
    }

    /// <summary>Task ids are row keys: letters, digits and dashes only, so a hostile id never reaches a query.</summary>
    static bool IsTaskId(string id) => id.Length is > 0 and <= 128 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    static TaskListing Listing(TaskEntity entity) => new(entity.Value, entity.ETag.ToString());
}
