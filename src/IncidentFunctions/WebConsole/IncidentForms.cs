using System.Globalization;
using System.Text.Json;
using IncidentFunctions.Coordination;
using IncidentFunctions.Model;

namespace IncidentFunctions.WebConsole;

/// <summary>
/// Which of the incident page's forms a viewer gets, decided from <see cref="IncidentView"/> by the same rules the API
/// applies (the stage machine, the stages a commander alone moves to, the update cadence), so that the page offers what
/// the API would accept and nothing the API would refuse for the incident's state. The API still decides: a form is
/// only an offer.
/// </summary>
public static class IncidentForms
{
    /// <summary>How the API spells an enum value in a request (camelCase), e.g. "investigating", "stakeholders".</summary>
    public static string ApiName<T>(T value)
        where T : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    public static bool CanAcknowledge(IncidentView view) => view.CanRespond && view.Incident.Status == IncidentStatus.Open;

    public static bool CanResolve(IncidentView view) => view.CanRespond && view.Incident.Status != IncidentStatus.Resolved;

    public static bool CanAddResponders(IncidentView view) => view.CanRespond && view.Incident.Status != IncidentStatus.Resolved;

    /// <summary>Severity and roles change until the incident is closed, declined or merged.</summary>
    public static bool CanChangeSeverity(IncidentView view) => view.CanCommand && !StageMachine.IsFinal(view.Incident.Stage);

    public static bool CanHandOffRoles(IncidentView view) => view.CanCommand && !StageMachine.IsFinal(view.Incident.Stage);

    /// <summary>
    /// The stages the stage form offers: what the stage machine allows next for the viewer's authority, less the side exits
    /// that have forms of their own (decline needs its reason, merge names the other incident, close is its own step).
    /// </summary>
    public static IReadOnlyList<Stage> NextStages(IncidentView view) =>
        !view.CanRespond
            ? []
            : StageMachine.AllowedNext(view.Incident.Stage, view.CanCommand ? StageAuthority.Commander : StageAuthority.Responder)
                .Where(stage => stage is not (Stage.Declined or Stage.Merged or Stage.Closed))
                .ToArray();

    public static bool CanDecline(IncidentView view) => view.CanCommand && CommanderMayMoveTo(view, Stage.Declined);

    public static bool CanMerge(IncidentView view) => view.CanCommand && CommanderMayMoveTo(view, Stage.Merged);

    public static bool CanClose(IncidentView view) => view.CanCommand && CommanderMayMoveTo(view, Stage.Closed);

    /// <summary>
    /// The role holders a commander may release, role by role: every holder of every role but the commander's, which is
    /// never left empty (the API refuses it; it is handed on instead).
    /// </summary>
    public static IReadOnlyList<(string Role, string Person)> Releasable(IncidentView view) =>
        !CanHandOffRoles(view)
            ? []
            : view.Incident.Response.Roles
                .Where(role => role.Key != IncidentResponse.CommanderRole)
                .OrderBy(role => role.Key, StringComparer.Ordinal)
                .SelectMany(role => role.Value.Select(person => (role.Key, person)))
                .ToArray();

    /// <summary>
    /// When the next update for each audience is due by the communication protocol (or the last writer's promise) at the
    /// incident's priority; none before it is triaged or outside the working stages.
    /// </summary>
    public static IReadOnlyList<UpdateDue> UpdatesDue(IncidentView view)
    {
        var incident = view.Incident;
        if (incident.Priority is not { } priority)
        {
            return [];
        }

        return Enum.GetValues<UpdateAudience>()
            .Select(audience => UpdateCadence.Next(
                view.Policy.Response, priority, incident.Stage, incident.OpenedAt, audience, incident.Response.UpdatesFor(audience), view.Now))
            .OfType<UpdateDue>()
            .ToArray();
    }

    /// <summary>A time for a &lt;time datetime&gt; attribute: UTC, with Z (an offset's '+' would be encoded).</summary>
    public static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A time as the console writes it: UTC, to the minute.</summary>
    public static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>A byte count as people read it: "10 MiB", "512 KiB", "900 bytes".</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        >= 1024 * 1024 when bytes % (1024 * 1024) == 0 => $"{bytes / (1024 * 1024)} MiB",
        >= 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MiB"),
        >= 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB"),
        _ => $"{bytes} bytes",
    };

    static bool CommanderMayMoveTo(IncidentView view, Stage stage) =>
        StageMachine.AllowedNext(view.Incident.Stage, StageAuthority.Commander).Contains(stage);
}
