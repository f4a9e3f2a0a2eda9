using System.Security.Cryptography;
using System.Text;
using IncidentFunctions.Incidents;
using IncidentFunctions.Model;
using IncidentFunctions.Paging;
using IncidentFunctions.Policy;

namespace IncidentFunctions.Responding;

/// <summary>
/// Emails a posted status update (the update.posted event) to its audience, each recipient once (the event id is the
/// notification id, so a retried delivery emails only whoever it missed).
/// <list type="bullet">
/// <item>stakeholders: the policy's stakeholders for the incident's service and priority, and the people who
/// subscribed to the incident;</item>
/// <item>internal: the participants the policy knows (a caller the policy does not name has no address here).</item>
/// <item>A restricted incident is told only to people who may see it: its participants, the people granted access and
/// its commander. A stakeholder who is a bare address, not a person, is never among them.</item>
/// </list>
/// </summary>
public sealed class StatusUpdateDelivery(IncidentPager pager, PolicyProvider policy) : IChangeDelivery
{
    public bool Handles(string eventType) => eventType == TimelineEventTypes.UpdatePosted;

    public async Task DeliverAsync(IncidentEntity incident, TimelineEvent recorded, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(recorded);
        var stakeholders = recorded.Data?.GetValueOrDefault("audience") == "stakeholders";
        var recipients = RecipientsOf(incident, policy.Current, stakeholders);
        if (recipients.Count == 0)
        {
            return;
        }

        var headline = $"{(stakeholders ? "Stakeholder" : "Internal")} update on incident {incident.Id}";
        await pager.SendAsync(
            new NotifyRequest(
                incident.Id, recorded.Id, NotificationKind.StatusUpdate, null, recipients, recorded.At,
                Message: new NotificationMessage(headline, recorded.Data?.GetValueOrDefault("body") ?? recorded.Summary, $"Update from {recorded.Actor}")),
            incident.ToSnapshot(),
            ct);
    }

    /// <summary>Who an update for the audience reaches, each address once, in policy order.</summary>
    public static IReadOnlyList<Recipient> RecipientsOf(IncidentEntity incident, IncidentPolicy policy, bool stakeholders)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(policy);
        var response = incident.ResponseValue;
        IEnumerable<Recipient> candidates;
        if (stakeholders)
        {
            var named = policy.Response.StakeholdersFor(incident.ServiceId ?? string.Empty, incident.PriorityValue ?? Priority.P4)
                .Select(s => s.PersonId is { } person ? policy.People.Person(person) ?? new Recipient(person, s.Name, s.Email, "UTC") : AddressOnly(s));
            candidates = named.Concat(response.Subscribers.Select(policy.People.Person).OfType<Recipient>());
        }
        else
        {
            candidates = response.Participants.Select(policy.People.Person).OfType<Recipient>();
        }

        if (response.Visibility == Visibility.Restricted)
        {
            var allowed = response.Participants.Concat(response.Grants).Append(response.Commander).OfType<string>().ToHashSet(StringComparer.Ordinal);
            candidates = candidates.Where(r => allowed.Contains(r.PersonId));
        }

        return candidates
            .DistinctBy(r => r.PersonId, StringComparer.Ordinal)
            .DistinctBy(r => r.Email, StringComparer.OrdinalIgnoreCase)
            .ToArray();
    }

    /// <summary>
    /// A stakeholder address that is nobody in the policy: a recipient under an id made from the address (hashed, so
    /// it is a safe table key and never clashes with a person id).
    /// </summary>
    static Recipient AddressOnly(Stakeholder stakeholder) =>
        new("address-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(stakeholder.Email.ToLowerInvariant())))[..24], stakeholder.Name, stakeholder.Email, "UTC");
}
