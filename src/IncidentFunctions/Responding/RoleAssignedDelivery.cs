using IncidentFunctions.Incidents;
using IncidentFunctions.Model;
using IncidentFunctions.Paging;
using IncidentFunctions.Policy;

namespace IncidentFunctions.Responding;

/// <summary>
/// Emails the new holder of a role (<c>role.assigned</c>) the role's name and instructions, once: the event's id is the
/// notification id, so a repeated delivery finds the email on the record and sends nothing.
/// </summary>
public sealed class RoleAssignedDelivery(IncidentPager pager, PolicyProvider policy) : IChangeDelivery
{
    public bool Handles(string eventType) => eventType == TimelineEventTypes.RoleAssigned;

    public async Task DeliverAsync(IncidentEntity incident, TimelineEvent recorded, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(recorded);
        var current = policy.Current;
        if (recorded.Data is not { } data || !data.TryGetValue("to", out var to) || current.People.Person(to) is not { } holder)
        {
            // Someone the policy no longer names has no address to write to.
            return;
        }

        var roleId = data.GetValueOrDefault("role") ?? string.Empty;
        var role = current.Response.Role(roleId);
        var message = new NotificationMessage(
            $"You are now {role?.Name ?? roleId} of this incident (assigned by {recorded.Actor}).",
            role?.Instructions,
            "Instructions");
        await pager.SendAsync(
            new NotifyRequest(incident.Id, recorded.Id, NotificationKind.RoleAssigned, null, [holder], recorded.At, Message: message),
            incident.ToSnapshot(),
            ct);
    }
}
