using IncidentFunctions.Access;
using IncidentFunctions.Model;
using IncidentFunctions.Policy;

namespace IncidentFunctions.WebConsole;

/// <summary>
/// What the incident page and its panels render from: the incident as GET /api/incidents/{id} answers it, its ETag
/// (which the forms that edit it send back as If-Match), the viewer and what they may do on this incident (the
/// incident's own commander may command it), the policy (roles, categories, people, services for the pickers), and now.
/// </summary>
public sealed record IncidentView(
    Incident Incident,
    string ETag,
    Caller Viewer,
    bool CanRespond,
    bool CanCommand,
    IncidentPolicy Policy,
    DateTimeOffset Now);
