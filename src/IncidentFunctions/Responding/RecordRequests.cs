using System.Text.Json;
using IncidentFunctions.Http;
using IncidentFunctions.Model;
using IncidentFunctions.Policy;
using IncidentFunctions.Validation;
using Microsoft.AspNetCore.Http;

namespace IncidentFunctions.Responding;

/// <summary>POST /tasks: a new task of the incident. Priority is required; the rest optional.</summary>
public sealed record CreateTaskRequest(
    string Title, string? Description, TaskAssignee? Assignee, TaskPriority Priority, DateTimeOffset? DueAt, bool? Required, string? Link);

/// <summary>
/// PATCH /tasks/{task}: the fields to change, every one optional; an absent field stays as it is, and an explicit null
/// clears <see cref="Assignee"/> or <see cref="DueAt"/>. <see cref="Reason"/> goes with a status (not-doing needs one).
/// </summary>
public sealed record ChangeTaskRequest(
    IncidentTaskStatus? Status, string? Reason, string? Title, TaskAssignee? Assignee, DateTimeOffset? DueAt, TaskPriority? Priority);

/// <summary>POST /notes. <see cref="OccurredAt"/>: when what the note says happened, if earlier than now.</summary>
public sealed record NoteRequest(string Body, DateTimeOffset? OccurredAt);

/// <summary>POST /updates. <see cref="NextUpdateAt"/>: when the readers will hear next, if the writer promises a time.</summary>
public sealed record UpdateRequest(UpdateAudience Audience, string Body, DateTimeOffset? NextUpdateAt);

/// <summary>POST /decisions. <see cref="DecidedBy"/> is a policy person id; the caller when absent.</summary>
public sealed record DecisionRequest(string Decision, string? Rationale, IReadOnlyList<string>? Options, string? DecidedBy);

/// <summary>POST /evidence with a JSON body: a link to evidence kept elsewhere.</summary>
public sealed record EvidenceLinkRequest(string Url, string? Title);

/// <summary>
/// Reads the request bodies of the record and the tasks by the rules of <see cref="FieldReader"/>: every broken rule
/// named by its field, people and roles checked against the policy.
/// </summary>
public static class RecordRequests
{
    public const int MaxOptions = 20;
    public const int MaxIdLength = 128;

    /// <summary>How far ahead a promised next update may be: further than that is a typo, not a plan.</summary>
    public static readonly TimeSpan MaxUpdateHorizon = TimeSpan.FromDays(7);

    /// <summary>A time a person says something happened may run ahead of ours by a clock's drift, no more.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    static readonly string[] CreateTaskFields = ["title", "description", "assignee", "priority", "dueAt", "required", "link"];
    static readonly string[] ChangeTaskFields = ["status", "reason", "title", "assignee", "dueAt", "priority"];
    static readonly string[] AssigneeFields = ["person", "role"];
    static readonly string[] NoteFields = ["body", "occurredAt"];
    static readonly string[] UpdateFields = ["audience", "body", "nextUpdateAt"];
    static readonly string[] DecisionFields = ["decision", "rationale", "options", "decidedBy"];
    static readonly string[] LinkFields = ["url", "title"];

    /// <summary>
    /// What one stored text may take, as JSON: a table property holds 64 KiB of UTF-16 (32,768 characters), and the
    /// serializer writes a character outside ASCII, or one of &lt; &gt; &amp; ' and control characters, as six ("\u00e9").
    /// </summary>
    public const int MaxStoredChars = 30_000;

    /// <summary>
    /// A 400 naming <paramref name="field"/> when <paramref name="value"/> would not fit its table property once
    /// serialized: the character limits count characters, and escaping can make 10,000 of them 60,000.
    /// </summary>
    public static Problem? TooLargeToStore(object value, string field) =>
        System.Text.Json.JsonSerializer.Serialize(value, JsonDefaults.Options).Length <= MaxStoredChars
            ? null
            : Problem.Validation([new FieldError(field, $"is too long to store: JSON writes most characters outside ASCII, and < > & ' and control characters, as six; keep the text under {MaxStoredChars / 6} such characters")]);

    /// <summary>The body as <typeparamref name="T"/>, or the problem to answer instead (malformed JSON, broken rules).</summary>
    public static async Task<(T? Request, Problem? Problem)> ReadAsync<T>(HttpRequest request, Func<JsonElement, FieldReader, T?> read, CancellationToken ct)
        where T : class
    {
        var (document, problem) = await RequestBody.ReadJsonAsync(request, ct);
        if (document is null)
        {
            return (null, problem);
        }

        using (document)
        {
            var fields = new FieldReader();
            var value = read(document.RootElement, fields);
            return fields.Count > 0 || value is null ? (null, Problem.Validation(fields.Errors.Count > 0 ? fields.Errors : [new FieldError("$", "is invalid")])) : (value, null);
        }
    }

    public static CreateTaskRequest? CreateTask(JsonElement o, FieldReader fields, ResponsePolicy roles, PolicyPeople people)
    {
        if (!fields.StrictObject(o, string.Empty, CreateTaskFields))
        {
            return null;
        }

        var title = fields.RequiredString(o, string.Empty, "title", TextLimits.MaxRecordTitle);
        var description = fields.OptionalString(o, string.Empty, "description", TextLimits.MaxRecordText);
        var assignee = FieldReader.TryGet(o, "assignee", out var a) ? Assignee(a, "assignee", fields, roles, people) : null;
        var priority = Priority(o, fields, required: true);
        var dueAt = fields.OptionalDateTime(o, string.Empty, "dueAt");
        var required = fields.Boolean(o, string.Empty, "required", fallback: false);
        var link = Link(o, "link", fields, required: false);
        return title is null || priority is null ? null : new CreateTaskRequest(title.Trim(), description, assignee, priority.Value, dueAt, required, link);
    }

    /// <summary>A change of a task; <paramref name="cleared"/> lists the fields sent as null (assignee, dueAt).</summary>
    public static ChangeTaskRequest? ChangeTask(JsonElement o, FieldReader fields, ResponsePolicy roles, PolicyPeople people, out IReadOnlySet<string> cleared)
    {
        var nulls = new HashSet<string>(StringComparer.Ordinal);
        cleared = nulls;
        if (!fields.StrictObject(o, string.Empty, ChangeTaskFields))
        {
            return null;
        }

        foreach (var name in (string[])["assignee", "dueAt"])
        {
            if (o.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Null)
            {
                nulls.Add(name);
            }
        }

        IncidentTaskStatus? status = null;
        if (fields.OptionalString(o, string.Empty, "status", 32) is { } text)
        {
            var named = Enum.GetValues<IncidentTaskStatus>().Where(s => JsonSerializer.Serialize(s, JsonDefaults.Options).Trim('"') == text).ToArray();
            if (named.Length == 1)
            {
                status = named[0];
            }
            else
            {
                fields.Add("status", $"must be one of {string.Join(", ", Enum.GetValues<IncidentTaskStatus>().Select(s => JsonSerializer.Serialize(s, JsonDefaults.Options).Trim('"')))}");
            }
        }

        var reason = fields.OptionalString(o, string.Empty, "reason", TextLimits.MaxReason);
        var title = fields.OptionalString(o, string.Empty, "title", TextLimits.MaxRecordTitle, allowBlank: false);
        var assignee = FieldReader.TryGet(o, "assignee", out var a) ? Assignee(a, "assignee", fields, roles, people) : null;
        var dueAt = fields.OptionalDateTime(o, string.Empty, "dueAt");
        var priority = Priority(o, fields, required: false);
        return new ChangeTaskRequest(status, reason, title?.Trim(), assignee, dueAt, priority);
    }

    public static NoteRequest? Note(JsonElement o, FieldReader fields, DateTimeOffset now)
    {
        if (!fields.StrictObject(o, string.Empty, NoteFields))
        {
            return null;
        }

        var body = fields.RequiredString(o, string.Empty, "body", TextLimits.MaxRecordText);
        var occurredAt = fields.OptionalDateTime(o, string.Empty, "occurredAt");
        if (occurredAt > now + ClockSkew)
        {
            fields.Add("occurredAt", "must not be in the future");
        }

        return body is null ? null : new NoteRequest(body, occurredAt);
    }

    public static UpdateRequest? Update(JsonElement o, FieldReader fields, DateTimeOffset now)
    {
        if (!fields.StrictObject(o, string.Empty, UpdateFields))
        {
            return null;
        }

        UpdateAudience? audience = null;
        if (fields.RequiredString(o, string.Empty, "audience", 32) is { } text)
        {
            if (FieldReader.TryParseName<UpdateAudience>(text, out var parsed))
            {
                audience = parsed;
            }
            else
            {
                fields.Add("audience", $"must be one of {string.Join(", ", FieldReader.NamesOf<UpdateAudience>())}");
            }
        }

        var body = fields.RequiredString(o, string.Empty, "body", TextLimits.MaxRecordText);
        var next = fields.OptionalDateTime(o, string.Empty, "nextUpdateAt");
        if (next is { } at && (at <= now || at > now + MaxUpdateHorizon))
        {
            fields.Add("nextUpdateAt", $"must be in the future, at most {MaxUpdateHorizon.TotalDays:0} days ahead");
        }

        return audience is null || body is null ? null : new UpdateRequest(audience.Value, body, next);
    }

    public static DecisionRequest? Decision(JsonElement o, FieldReader fields, PolicyPeople people)
    {
        if (!fields.StrictObject(o, string.Empty, DecisionFields))
        {
            return null;
        }

        var decision = fields.RequiredString(o, string.Empty, "decision", TextLimits.MaxRecordTitle);
        var rationale = fields.OptionalString(o, string.Empty, "rationale", TextLimits.MaxRecordText);
        var items = fields.Items(o, string.Empty, "options");
        if (items.Count > MaxOptions)
        {
            fields.Add("options", $"must list at most {MaxOptions} options");
        }

        var options = items.Take(MaxOptions).Select(i => fields.String(i.Item, i.Path, TextLimits.MaxRecordTitle, allowBlank: false)).OfType<string>().ToArray();
        var decidedBy = fields.OptionalString(o, string.Empty, "decidedBy", MaxIdLength, allowBlank: false);
        if (decidedBy is not null && people.Person(decidedBy) is null)
        {
            fields.Add("decidedBy", $"unknown person '{decidedBy}'; the policy's people are who decides");
        }

        return decision is null ? null : new DecisionRequest(decision.Trim(), rationale, FieldReader.TryGet(o, "options", out _) ? options : null, decidedBy);
    }

    public static EvidenceLinkRequest? EvidenceLink(JsonElement o, FieldReader fields)
    {
        if (!fields.StrictObject(o, string.Empty, LinkFields))
        {
            return null;
        }

        var url = Link(o, "url", fields, required: true);
        var title = fields.OptionalString(o, string.Empty, "title", TextLimits.MaxRecordTitle);
        return url is null ? null : new EvidenceLinkRequest(url, title);
    }

    /// <summary>A person or a role, one of the two, each one the policy knows.</summary>
    static TaskAssignee? Assignee(JsonElement a, string path, FieldReader fields, ResponsePolicy roles, PolicyPeople people)
    {
        var before = fields.Count;
        if (!fields.StrictObject(a, path, AssigneeFields))
        {
            return null;
        }

        var person = fields.OptionalString(a, path, "person", MaxIdLength, allowBlank: false);
        var role = fields.OptionalString(a, path, "role", MaxIdLength, allowBlank: false);
        if ((person is null) == (role is null))
        {
            if (fields.Count == before)
            {
                fields.Add(path, "must name a person or a role, one of the two");
            }

            return null;
        }

        if (person is not null && people.Person(person) is null)
        {
            fields.Add(FieldReader.Path(path, "person"), $"unknown person '{person}'; a task is for one of the policy's people");
            return null;
        }

        if (role is not null && roles.Role(role) is null)
        {
            fields.Add(FieldReader.Path(path, "role"), $"unknown role '{role}'; expected one of {string.Join(", ", roles.Roles.Select(r => r.Id))}");
            return null;
        }

        return new TaskAssignee(person, role);
    }

    static TaskPriority? Priority(JsonElement o, FieldReader fields, bool required)
    {
        var text = required ? fields.RequiredString(o, string.Empty, "priority", 32) : fields.OptionalString(o, string.Empty, "priority", 32);
        if (text is null)
        {
            return null;
        }

        if (FieldReader.TryParseName<TaskPriority>(text, out var priority))
        {
            return priority;
        }

        fields.Add("priority", $"must be one of {string.Join(", ", FieldReader.NamesOf<TaskPriority>())}");
        return null;
    }

    /// <summary>Only absolute http and https URLs: anything else (javascript:, data:, file:) is never made clickable.</summary>
    static string? Link(JsonElement o, string name, FieldReader fields, bool required)
    {
        var link = required ? fields.RequiredString(o, string.Empty, name, AlertLimits.MaxHref) : fields.OptionalString(o, string.Empty, name, AlertLimits.MaxHref);
        if (link is not null && !AlertLink.IsWebUrl(link))
        {
            fields.Add(name, "must be an absolute http or https URL");
            return null;
        }

        return link;
    }
}
