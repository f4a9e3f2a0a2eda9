using System.Text.Json;
using IncidentFunctions.Access;
using IncidentFunctions.Coordination;
using IncidentFunctions.Incidents;
using IncidentFunctions.Model;
using IncidentFunctions.Paging;
using IncidentFunctions.Policy;
using IncidentFunctions.Validation;

namespace IncidentFunctions.Responding;

/// <summary>
/// Bring more people into a running incident: policy people, teams (their members) and escalation policies (whom their
/// first level pages), by id, with an optional message that the page carries.
/// </summary>
public sealed record AddRespondersRequest(IReadOnlyList<string> People, IReadOnlyList<string> Teams, IReadOnlyList<string> EscalationPolicies, string? Message = null) : IChangeRequest<AddRespondersRequest>
{
    public const int MaxMessageLength = 2000;

    /// <summary>Ids per list; a page goes to at most the policy's people anyway.</summary>
    public const int MaxIds = 50;

    const int MaxIdLength = 128;
    static readonly string[] Properties = ["people", "teams", "escalationPolicies", "message"];

    public static AddRespondersRequest? Read(JsonElement body, FieldReader fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (!fields.StrictObject(body, string.Empty, Properties))
        {
            return null;
        }

        var people = Ids(body, fields, "people");
        var teams = Ids(body, fields, "teams");
        var policies = Ids(body, fields, "escalationPolicies");
        var message = fields.OptionalString(body, string.Empty, "message", MaxMessageLength, allowBlank: false);
        if (fields.Count == 0 && people.Count + teams.Count + policies.Count == 0)
        {
            fields.Add("people", "name at least one person, team or escalation policy (people, teams, escalationPolicies)");
        }

        return fields.Count > 0 ? null : new(people, teams, policies, message);
    }

    static List<string> Ids(JsonElement body, FieldReader fields, string name)
    {
        var items = fields.Items(body, string.Empty, name);
        if (items.Count > MaxIds)
        {
            fields.Add(name, $"must name at most {MaxIds}");
            return [];
        }

        return items.Select(item => fields.String(item.Item, item.Path, MaxIdLength, allowBlank: false)).OfType<string>().ToList();
    }
}

/// <summary>
/// Adds responders to a running incident: the people a request names are resolved through the policy, become
/// participants, and are recorded in one <c>responders.added</c> event; <see cref="RespondersPagedDelivery"/> pages them.
/// </summary>
public sealed class ResponderPaging(IncidentEditor editor, PolicyProvider policy)
{
    /// <summary>The event's data: the paged person ids, comma-separated, and the request's message.</summary>
    public const string PeopleData = "people";

    public const string MessageData = "message";

    public Task<Edited> AddAsync(Caller caller, string id, string? ifMatch, AddRespondersRequest request, ICoordinationSignals coordination, CancellationToken ct)
    {
        var current = policy.Current;
        return editor.EditAsync(caller, Permission.Respond, id, ifMatch, (row, _) => Decide(current.People, row, request), coordination, ct);
    }

    /// <summary>Who the request names, each once in the order named; the first unknown id refuses it (400 naming the field and index).</summary>
    public static Decision<RecipientList> Resolve(PolicyPeople people, AddRespondersRequest request)
    {
        ArgumentNullException.ThrowIfNull(people);
        ArgumentNullException.ThrowIfNull(request);
        var found = new List<Recipient>();
        for (var i = 0; i < request.People.Count; i++)
        {
            if (people.Person(request.People[i]) is not { } person)
            {
                return new Refusal(FieldReader.Item("people", i), $"no person '{request.People[i]}' in the policy");
            }

            found.Add(person);
        }

        for (var i = 0; i < request.Teams.Count; i++)
        {
            if (people.TeamMembers(request.Teams[i]) is not { } members)
            {
                return new Refusal(FieldReader.Item("teams", i), $"no team '{request.Teams[i]}' in the policy");
            }

            found.AddRange(members);
        }

        for (var i = 0; i < request.EscalationPolicies.Count; i++)
        {
            if (people.FirstLevel(request.EscalationPolicies[i]) is not { } level)
            {
                return new Refusal(FieldReader.Item("escalationPolicies", i), $"no escalation policy '{request.EscalationPolicies[i]}' in the policy");
            }

            found.AddRange(level);
        }

        return new RecipientList([.. found.DistinctBy(r => r.PersonId)]);
    }

    public static Decision<Change> Decide(PolicyPeople people, IncidentEntity incident, AddRespondersRequest request)
    {
        ArgumentNullException.ThrowIfNull(incident);
        var response = incident.ResponseValue;
        var resolved = Resolve(people, request);
        if (resolved.Refused is { } refused)
        {
            return refused;
        }

        if (incident.StatusValue == IncidentStatus.Resolved || StageMachine.IsFinal(response.Stage))
        {
            return new Refusal("status", "the incident is resolved; nobody is paged for it any more", Conflict: true);
        }

        var paged = resolved.Accepted!.People;
        var data = new Dictionary<string, string> { [PeopleData] = string.Join(",", paged.Select(p => p.PersonId)) };
        if (request.Message is { } message)
        {
            data[MessageData] = message;
        }

        return new Change(
            paged.Aggregate(response, (r, p) => r.WithParticipant(p.PersonId)),
            [new ChangeNote(TimelineEventTypes.RespondersAdded, $"Paging {string.Join(", ", paged.Select(p => p.Name))}", data)]);
    }
}

/// <summary>The people a request resolved to.</summary>
public sealed record RecipientList(IReadOnlyList<Recipient> People);

/// <summary>
/// Pages the responders a <c>responders.added</c> event names, by email with the scanner-safe acknowledge and resolve
/// links of every page, and the request's message as the body; each once (the event's id is the notification id).
/// </summary>
public sealed class RespondersPagedDelivery(IncidentPager pager, PolicyProvider policy) : IChangeDelivery
{
    public bool Handles(string eventType) => eventType == TimelineEventTypes.RespondersAdded;

    public async Task DeliverAsync(IncidentEntity incident, TimelineEvent recorded, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(recorded);
        var people = policy.Current.People;
        var ids = recorded.Data?.GetValueOrDefault(ResponderPaging.PeopleData) ?? string.Empty;
        var recipients = ids.Split(',', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal)
            .Select(people.Person).OfType<Recipient>().ToList();
        if (recipients.Count == 0)
        {
            return;
        }

        var message = new NotificationMessage($"{recorded.Actor} asks you to help with this incident.", recorded.Data?.GetValueOrDefault(ResponderPaging.MessageData), "Message");
        await pager.SendAsync(
            new NotifyRequest(incident.Id, recorded.Id, NotificationKind.Page, null, recipients, recorded.At, Message: message),
            incident.ToSnapshot(),
            ct);
    }
}
