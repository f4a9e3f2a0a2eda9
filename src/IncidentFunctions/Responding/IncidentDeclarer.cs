using System.Text.Json;
using IncidentFunctions.Access;
using IncidentFunctions.Coordination;
using IncidentFunctions.Http;
using IncidentFunctions.Incidents;
using IncidentFunctions.Lifecycle;
using IncidentFunctions.LifecycleEvents;
using IncidentFunctions.Model;
using IncidentFunctions.Opening;
using IncidentFunctions.Policy;
using IncidentFunctions.Validation;

namespace IncidentFunctions.Responding;

/// <summary>
/// The body of <c>POST /api/incidents</c>. <see cref="Service"/>, <see cref="Category"/> and <see cref="Commander"/>
/// are ids of the policy; <see cref="Page"/> defaults to true (page per the service's escalation policy),
/// <see cref="Commander"/> to the declarer, <see cref="Visibility"/> to the category's.
/// </summary>
public sealed record DeclareRequest(
    string Title,
    Severity Severity,
    string Service,
    string? Category = null,
    string? Summary = null,
    Visibility? Visibility = null,
    bool? Page = null,
    string? Commander = null,
    DateTimeOffset? ImpactStartedAt = null);

/// <summary>The incident a request opened or changed, or the refusal to answer instead.</summary>
public sealed record Outcome(IncidentEntity? Incident, Problem? Refusal) : IIncidentOutcome;

/// <summary>What a change to one incident ends in: the incident as it is now, or the refusal to answer instead.</summary>
public interface IIncidentOutcome
{
    IncidentEntity? Incident { get; }

    Problem? Refusal { get; }
}

/// <summary>
/// Declaring an incident: read and check the request against the policy, decide where its response starts
/// (<see cref="Declarations"/>), open it through <see cref="IncidentOpener"/> (same triage, paging and orchestration
/// as an alert's incident), then record the declaration as the incident's first change, as
/// <see cref="IncidentEditor"/> records every later one: on the timeline, and handed to the coordination (whose
/// playbook step creates the category's tasks from <c>incident.categorized</c>).
/// </summary>
public sealed class IncidentDeclarer(IncidentOpener opener, IncidentEditor editor, PolicyProvider policy, TimeProvider time)
{
    static readonly string[] Properties = ["title", "severity", "service", "category", "summary", "visibility", "page", "commander", "impactStartedAt"];

    public async Task<Outcome> DeclareAsync(Caller caller, JsonElement body, IIncidentLifecycle lifecycle, ICoordinationSignals coordination, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var current = policy.Current;
        var (request, refusal) = RequestFields.Read(body, Properties, (o, fields) => Read(o, fields, current));
        if (request is null)
        {
            return new(null, refusal);
        }

        var commander = request.Commander ?? caller.PersonId;
        var page = request.Page ?? true;
        DeclarationInput Input() => new(request.Category, request.Visibility, commander, caller.ParticipantId, request.Summary, request.ImpactStartedAt, page);
        var decided = Declarations.Start(current.Response, Input(), time.GetUtcNow());
        if (decided.Refused is { } refused)
        {
            return new(null, IncidentEditor.ProblemOf(refused));
        }

        var declaration = new Declaration(request.Title, request.Severity, request.Service, request.Summary, caller.Name, page);
        var incident = await opener.DeclareAsync(
            declaration,
            // Decided again at the opening's own time, which is later: what was accepted above is accepted now.
            row => Prepare(row, Declarations.Start(current.Response, Input(), row.OpenedAt).Accepted ?? decided.Accepted!, request, caller, current.Response),
            lifecycle,
            ct);
        await editor.RecordLastChangeAsync(incident, coordination, ct);
        return new(incident, null);
    }

    static DeclareRequest Read(JsonElement o, FieldReader fields, IncidentPolicy policy)
    {
        var title = fields.RequiredString(o, string.Empty, "title", AlertLimits.MaxTitle)?.Trim();
        var severity = RequestFields.Name<Severity>(fields, o, "severity", required: true);
        var service = fields.RequiredString(o, string.Empty, "service", RequestFields.MaxId);
        if (service is not null && !policy.HasService(service))
        {
            fields.Add("service", $"unknown service '{service}'; expected one of {string.Join(", ", policy.ServiceIds)}");
        }

        var category = fields.OptionalString(o, string.Empty, "category", RequestFields.MaxId, allowBlank: false);
        if (category is not null && policy.Response.Category(category) is null)
        {
            fields.Add("category", Declarations.UnknownCategory(policy.Response, category).Message);
        }

        var commander = fields.OptionalString(o, string.Empty, "commander", RequestFields.MaxId, allowBlank: false);
        if (commander is not null && policy.People.Person(commander) is null)
        {
            fields.Add("commander", $"unknown person '{commander}'; a commander is a person id of the policy");
        }

        return new DeclareRequest(
            title ?? string.Empty,
            severity ?? default,
            service ?? string.Empty,
            category,
            RequestFields.Text(fields, o, "summary"),
            RequestFields.Name<Visibility>(fields, o, "visibility", required: false),
            fields.Boolean(o, string.Empty, "page", fallback: true),
            commander,
            fields.OptionalDateTime(o, string.Empty, "impactStartedAt"));
    }

    /// <summary>
    /// Writes the declaration onto the new row before it is stored: the response, and its events as the row's first
    /// change (revision 1), so that a crash before they reach the timeline is repaired like any edit's.
    /// </summary>
    static void Prepare(IncidentEntity row, IncidentResponse response, DeclareRequest request, Caller caller, ResponsePolicy policy)
    {
        row.SetResponse(response);
        row.Revision = 1;

        // After the opening's three events (opened, triaged, routed: OpenedAt and two ticks on).
        var at = row.OpenedAt.AddTicks(3);
        var data = new Dictionary<string, string>
        {
            ["severity"] = JsonNamingPolicy.CamelCase.ConvertName(request.Severity.ToString()),
            ["service"] = request.Service,
            ["visibility"] = JsonNamingPolicy.CamelCase.ConvertName(response.Visibility.ToString()),
            ["stage"] = JsonNamingPolicy.CamelCase.ConvertName(response.Stage.ToString()),
            ["paged"] = (request.Page ?? true) ? "true" : "false",
        };
        if (response.Commander is { } commander)
        {
            data["commander"] = commander;
        }

        var notes = new List<(TimelineEvent Event, LifecycleEventKind? Publish)>
        {
            (Event("r1-1", TimelineEventTypes.IncidentDeclared, $"Declared by {caller.Name}: {row.Title}", data), LifecycleEventKind.Declared),
        };
        if (response.Category is { } category)
        {
            notes.Add((Event($"r1-{notes.Count + 1}", TimelineEventTypes.IncidentCategorized, $"Categorized as {policy.Category(category)!.Name}",
                new Dictionary<string, string> { ["category"] = category }), null));
        }

        // A commander named by the declarer is told, as anyone handed the role is; declaring for oneself needs no email.
        if (request.Commander is { } named && named != caller.PersonId)
        {
            notes.Add((Event($"r1-{notes.Count + 1}", TimelineEventTypes.RoleAssigned, $"{named} is incident commander, named by {caller.Name} at the declaration",
                new Dictionary<string, string> { ["role"] = ResponsePolicy.Commander, ["to"] = named, ["from"] = string.Empty, ["note"] = "named at the declaration" }),
                LifecycleEventKind.RoleAssigned));
        }

        if (row.AcknowledgedAt is { } acknowledgedAt)
        {
            // Not paged: the declarer holds the acknowledgement. Its id is the one the responder and the orchestration
            // use for it, so either recording it again stores it once.
            var type = TimelineEventTypes.IncidentAcknowledged;
            notes.Add((new TimelineEvent(IncidentResponder.EventIdOf(type, acknowledgedAt), acknowledgedAt, type, caller.Name, Channels.Api,
                $"Acknowledged by {caller.Name} via {Channels.Api}: declared without paging"), null));
        }

        row.LastChange = JsonSerializer.Serialize(
            new LastChange(
                [.. notes.Select(n => n.Event)],
                [.. notes.Where(n => n.Publish is not null).Select(n => new IncidentTransitionRef(n.Event.Id, n.Publish!.Value, n.Event.At, n.Event.Actor, n.Event.Channel))]),
            JsonDefaults.Options);

        TimelineEvent Event(string id, string type, string summary, IReadOnlyDictionary<string, string> eventData) =>
            new(id, at, type, caller.Name, Channels.Api, summary, eventData);
    }
}
