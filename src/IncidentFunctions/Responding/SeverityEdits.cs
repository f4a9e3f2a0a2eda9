using System.Text.Json;
using IncidentFunctions.Access;
using IncidentFunctions.Coordination;
using IncidentFunctions.Incidents;
using IncidentFunctions.LifecycleEvents;
using IncidentFunctions.Model;
using IncidentFunctions.Policy;

namespace IncidentFunctions.Responding;

/// <summary>The body of <c>POST /api/incidents/{id}/severity</c>.</summary>
public sealed record SeverityRequest(Severity Severity, string Reason);

/// <summary>
/// A commander's severity change: the priority is recomputed from the new severity and the impact tier of the service
/// the incident was triaged to (as triage computed it), both are written on the row, and the change is kept in the
/// response's severity history, from which the time at each severity follows.
/// </summary>
public sealed class SeverityEdits(IncidentEditor editor)
{
    static readonly string[] Properties = ["severity", "reason"];

    public async Task<Outcome> ChangeAsync(Caller caller, string id, string? ifMatch, JsonElement body, ICoordinationSignals coordination, CancellationToken ct)
    {
        var (request, refusal) = RequestFields.Read(body, Properties, (o, fields) => new SeverityRequest(
            RequestFields.Name<Severity>(fields, o, "severity", required: true) ?? default,
            RequestFields.Text(fields, o, "reason") ?? string.Empty));
        if (request is null)
        {
            return new(null, refusal);
        }

        var edited = await editor.EditAsync(caller, Permission.Command, id, ifMatch, (row, now) => Decide(row, request, caller.Name, now), coordination, ct);
        return new(edited.Incident, edited.Refusal);
    }

    public static Decision<Change> Decide(IncidentEntity row, SeverityRequest request, string by, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(request);
        if (row.Triage is null)
        {
            return new Refusal("severity", "the incident is not triaged yet, so its impact tier is unknown; try again in a moment", Conflict: true);
        }

        var tier = JsonSerializer.Deserialize<TriageResult>(row.Triage, JsonDefaults.Options)!.ImpactTier;
        var decided = SeverityChanges.Change(Enum.Parse<Severity>(row.Severity), tier, request.Severity, request.Reason, by, now);
        if (decided.Refused is { } refused)
        {
            return refused;
        }

        var change = decided.Accepted!;
        if (!change.Changed)
        {
            return Change.Nothing(row.ResponseValue);
        }

        var response = row.ResponseValue;
        var previousPriority = row.Priority ?? string.Empty;
        var data = new Dictionary<string, string>
        {
            ["severity"] = Name(change.To),
            ["previous"] = Name(change.From),
            ["priority"] = change.Priority.ToString(),
            ["previousPriority"] = previousPriority,
            ["reason"] = change.Reason,
        };
        return new Change(
            response with { SeverityChanges = [.. response.SeverityChanges, change] },
            [new ChangeNote(
                TimelineEventTypes.SeverityChanged,
                $"Severity changed from {Name(change.From)} to {Name(change.To)} ({previousPriority} to {change.Priority}): {change.Reason}",
                data,
                LifecycleEventKind.SeverityChanged)],
            r =>
            {
                r.Severity = change.To.ToString();
                r.Priority = change.Priority.ToString();
            });
    }

    static string Name(Severity severity) => JsonNamingPolicy.CamelCase.ConvertName(severity.ToString());
}
