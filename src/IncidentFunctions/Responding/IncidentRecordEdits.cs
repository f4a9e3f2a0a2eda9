using System.Text.Json;
using IncidentFunctions.Access;
using IncidentFunctions.Coordination;
using IncidentFunctions.Incidents;
using IncidentFunctions.Model;
using IncidentFunctions.Policy;
using IncidentFunctions.Validation;

namespace IncidentFunctions.Responding;

/// <summary>
/// The body of <c>PATCH /api/incidents/{id}</c>: the fields to change, each optional (absent or null: unchanged).
/// Changing <see cref="Visibility"/> is a commander's decision; the others any responder's.
/// </summary>
public sealed record EditRequest(string? Title = null, string? Summary = null, string? Category = null, Visibility? Visibility = null);

/// <summary>What a request says of an incident's record: its title, summary, category and visibility.</summary>
public sealed class IncidentRecordEdits(IncidentEditor editor, PolicyProvider policy)
{
    static readonly string[] Properties = ["title", "summary", "category", "visibility"];

    /// <summary>
    /// The permission an edit needs: who may see a restricted incident is the commander's to decide (it hides the
    /// incident from everyone else, or shows it to everyone), so a request that names visibility needs
    /// <see cref="Permission.Command"/>, even one repeating the current value; title, summary and category any responder may change.
    /// </summary>
    public static Permission PermissionFor(JsonElement body) =>
        body.ValueKind == JsonValueKind.Object && FieldReader.TryGet(body, "visibility", out _) ? Permission.Command : Permission.Respond;

    public async Task<Outcome> EditAsync(Caller caller, string id, string? ifMatch, JsonElement body, ICoordinationSignals coordination, CancellationToken ct)
    {
        var response = policy.Current.Response;
        var (request, refusal) = RequestFields.Read(body, Properties, (o, fields) => Read(o, fields, response));
        if (request is null)
        {
            return new(null, refusal);
        }

        var edited = await editor.EditAsync(caller, PermissionFor(body), id, ifMatch, (row, _) => Decide(row, request, response), coordination, ct);
        return new(edited.Incident, edited.Refusal);
    }

    static EditRequest Read(JsonElement o, FieldReader fields, ResponsePolicy policy)
    {
        if (!Properties.Any(p => FieldReader.TryGet(o, p, out _)))
        {
            fields.Add("$", $"names nothing to change; expected one or more of {string.Join(", ", Properties)}");
        }

        var category = fields.OptionalString(o, string.Empty, "category", RequestFields.MaxId, allowBlank: false);
        if (category is not null && policy.Category(category) is null)
        {
            fields.Add("category", Declarations.UnknownCategory(policy, category).Message);
        }

        return new EditRequest(
            fields.OptionalString(o, string.Empty, "title", AlertLimits.MaxTitle, allowBlank: false)?.Trim(),
            fields.OptionalString(o, string.Empty, "summary", RequestFields.MaxText)?.Trim(),
            category,
            RequestFields.Name<Visibility>(fields, o, "visibility", required: false));
    }

    /// <summary>
    /// One event for the title, summary and visibility changed together (<c>incident.edited</c>, naming each field with
    /// its new and previous value), and <c>incident.categorized</c> for a new category, on which its playbook is applied.
    /// A field repeating its value changes nothing.
    /// </summary>
    public static Decision<Change> Decide(IncidentEntity row, EditRequest request, ResponsePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(request);
        var response = row.ResponseValue;
        var next = response;
        var data = new Dictionary<string, string>();
        var changed = new List<string>();
        string? title = null;
        if (request.Title is { } newTitle && newTitle != row.Title)
        {
            (data["title"], data["previousTitle"], title) = (newTitle, row.Title, newTitle);
            changed.Add("title");
        }

        if (request.Summary is { } summary && summary != (response.Summary ?? string.Empty))
        {
            (data["summary"], data["previousSummary"]) = (summary, response.Summary ?? string.Empty);
            next = next with { Summary = summary.Length == 0 ? null : summary };
            changed.Add("summary");
        }

        if (request.Visibility is { } visibility && visibility != response.Visibility)
        {
            (data["visibility"], data["previousVisibility"]) = (Name(visibility), Name(response.Visibility));
            next = next with { Visibility = visibility };
            changed.Add("visibility");
        }

        var notes = new List<ChangeNote>();
        if (changed.Count > 0)
        {
            notes.Add(new ChangeNote(TimelineEventTypes.IncidentEdited, $"Edited {string.Join(", ", changed)}", data));
        }

        if (request.Category is { } category && category != response.Category)
        {
            var categorized = new Dictionary<string, string> { ["category"] = category };
            if (response.Category is { } previous)
            {
                categorized["previous"] = previous;
            }

            next = next with { Category = category };
            notes.Add(new ChangeNote(
                TimelineEventTypes.IncidentCategorized,
                response.Category is null ? $"Categorized as {policy.Category(category)?.Name ?? category}" : $"Category changed from {response.Category} to {category}",
                categorized));
        }

        return new Change(next, notes, title is null ? null : r => r.Title = title);
    }

    static string Name<T>(T value)
        where T : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());
}
