using System.Text.Json;
using IncidentFunctions.Access;
using IncidentFunctions.Coordination;
using IncidentFunctions.Model;
using IncidentFunctions.Validation;

namespace IncidentFunctions.Responding;

/// <summary>The body of <c>POST /api/incidents/{id}/milestones</c>: the milestone, its corrected time, and why.</summary>
public sealed record MilestoneRequest(Milestone Milestone, DateTimeOffset At, string Reason);

/// <summary>
/// A commander's correction of a milestone (<see cref="Milestones.Correct"/>): the order is kept or the correction is
/// refused naming <c>milestones.{name}</c>; the timeline keeps the old and new time, the reason and who.
/// </summary>
public sealed class MilestoneCorrections(IncidentEditor editor)
{
    static readonly string[] Properties = ["milestone", "at", "reason"];

    public async Task<Outcome> CorrectAsync(Caller caller, string id, string? ifMatch, JsonElement body, ICoordinationSignals coordination, CancellationToken ct)
    {
        var (request, refusal) = RequestFields.Read(body, Properties, (o, fields) =>
        {
            var milestone = RequestFields.Name<Milestone>(fields, o, "milestone", required: true);
            var at = fields.OptionalDateTime(o, string.Empty, "at");
            if (at is null && !FieldReader.TryGet(o, "at", out _))
            {
                fields.Add("at", "is required");
            }

            return new MilestoneRequest(milestone ?? default, at ?? default, RequestFields.Text(fields, o, "reason") ?? string.Empty);
        });
        if (request is null)
        {
            return new(null, refusal);
        }

        var edited = await editor.EditAsync(
            caller, Permission.Command, id, ifMatch, (row, now) => Decide(row.ResponseValue, request, caller.Name, now), coordination, ct);
        return new(edited.Incident, edited.Refusal);
    }

    public static Decision<Change> Decide(IncidentResponse response, MilestoneRequest request, string by, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(request);
        var decided = Milestones.Correct(response.Milestones, request.Milestone, request.At, request.Reason, by, now);
        if (decided.Refused is { } refused)
        {
            return refused;
        }

        var correction = decided.Accepted!;
        var name = JsonNamingPolicy.CamelCase.ConvertName(correction.Milestone.ToString());
        var data = new Dictionary<string, string>
        {
            ["milestone"] = name,
            ["old"] = correction.Old?.ToString("O") ?? string.Empty,
            ["new"] = correction.New.ToString("O"),
            ["reason"] = correction.Reason,
            ["by"] = correction.By,
        };
        return new Change(
            response with { Milestones = correction.Milestones },
            [new ChangeNote(
                TimelineEventTypes.MilestoneCorrected,
                $"Milestone {name} corrected from {(correction.Old is { } old ? old.ToString("O") : "unset")} to {correction.New:O}: {correction.Reason}",
                data)]);
    }
}
