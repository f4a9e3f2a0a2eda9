using IncidentFunctions.Access;
using IncidentFunctions.Model;
using IncidentFunctions.Policy;

namespace IncidentFunctions.WebConsole;

/// <summary>Builds the incident page's <see cref="IncidentView"/> with the policy in force (its people, roles and services name things on the page).</summary>
public sealed class IncidentViewer(PolicyProvider policy)
{
    public IncidentView ViewOf(Caller viewer, Incident incident, string etag, IncidentAccessFacts facts, DateTimeOffset now) =>
        IncidentPageModel.ViewOf(viewer, incident, etag, facts, policy.Current, now);
}
