using IncidentFunctions.Access;
using IncidentFunctions.Coordination;
using IncidentFunctions.Model;

namespace IncidentFunctions.Responding;

/// <summary>
/// The stakeholder updates of an incident, asked for by a reader: the caller subscribes or unsubscribes themselves
/// (<c>subscription.added</c>, <c>subscription.removed</c>). Only a caller the policy knows has an address to write to.
/// Subscribing is not taking part: the caller does not become a participant.
/// </summary>
public sealed class Subscriptions(IncidentEditor editor)
{
    public Task<Edited> SubscribeAsync(Caller caller, string id, ICoordinationSignals coordination, CancellationToken ct) =>
        editor.EditAsync(caller, Permission.Read, id, null, (row, _) => Decide(caller, row.ResponseValue, subscribe: true), coordination, ct);

    public Task<Edited> UnsubscribeAsync(Caller caller, string id, ICoordinationSignals coordination, CancellationToken ct) =>
        editor.EditAsync(caller, Permission.Read, id, null, (row, _) => Decide(caller, row.ResponseValue, subscribe: false), coordination, ct);

    public static Decision<Change> Decide(Caller caller, IncidentResponse response, bool subscribe)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(response);
        if (caller.PersonId is not { } person)
        {
            return new Refusal(
                "person",
                $"you ({caller.Name}) are not a person of the policy (matched by email or Entra object id), so there is no address to send the updates to");
        }

        var subscribed = response.Subscribers.Contains(person, StringComparer.Ordinal);
        if (subscribed == subscribe)
        {
            return new Change(response, [], CallerTakesPart: false);
        }

        return subscribe
            ? new Change(
                response with { Subscribers = [.. response.Subscribers, person] },
                [new ChangeNote(TimelineEventTypes.Subscribed, $"{caller.Name} subscribed to the stakeholder updates", new Dictionary<string, string> { ["person"] = person })],
                CallerTakesPart: false)
            : new Change(
                response with { Subscribers = [.. response.Subscribers.Where(p => p != person)] },
                [new ChangeNote(TimelineEventTypes.Unsubscribed, $"{caller.Name} unsubscribed from the stakeholder updates", new Dictionary<string, string> { ["person"] = person })],
                CallerTakesPart: false);
    }
}
