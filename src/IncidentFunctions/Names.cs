
namespace IncidentFunctions;

// The one place where routes, queues, tables, schedules and settings are named. Function attributes, the dev host, the tests
// and the docs refer to these constants; nothing spells them a second time.

/// <summary>HTTP routes, relative to the /api prefix that both hosts add.</summary>
public static class Routes
{
    public const string Prefix = "api";
    public const string Alerts = "alerts/{integration}";
    public const string Incidents = "incidents";
    public const string Incident = "incidents/{id}";
    public const string IncidentTimeline = "incidents/{id}/timeline";
    public const string IncidentAcknowledge = "incidents/{id}/acknowledge";
    public const string IncidentResolve = "incidents/{id}/resolve";

    // Coordinating a response (issue 15). POST /api/incidents declares one; PATCH /api/incidents/{id} edits its title,
    // summary and category. Each commander action is its own POST, so that access, idempotency and the API description
    // are per action.
    public const string IncidentStage = "incidents/{id}/stage";
    public const string IncidentSeverity = "incidents/{id}/severity";
    public const string IncidentMilestones = "incidents/{id}/milestones";
    public const string IncidentMerge = "incidents/{id}/merge";
    public const string IncidentDecline = "incidents/{id}/decline";
    public const string IncidentClose = "incidents/{id}/close";

    /// <summary>POST assigns (hands off) a role; DELETE of <see cref="IncidentRoleHolder"/> releases one holder.</summary>
    public const string IncidentRoles = "incidents/{id}/roles";
    public const string IncidentRoleHolder = "incidents/{id}/roles/{role}/{person}";
    public const string IncidentResponders = "incidents/{id}/responders";

    /// <summary>POST lets a person into a restricted incident; DELETE of <see cref="IncidentGrant"/> takes it back.</summary>
    public const string IncidentGrants = "incidents/{id}/grants";
    public const string IncidentGrant = "incidents/{id}/grants/{person}";

    /// <summary>PUT subscribes the caller to the incident's stakeholder updates; DELETE stops.</summary>
    public const string IncidentSubscription = "incidents/{id}/subscription";

    /// <summary>GET lists, POST adds; PATCH of <see cref="IncidentTask"/> changes one.</summary>
    public const string IncidentTasks = "incidents/{id}/tasks";
    public const string IncidentTask = "incidents/{id}/tasks/{task}";
    public const string IncidentNotes = "incidents/{id}/notes";
    public const string IncidentUpdates = "incidents/{id}/updates";
    public const string IncidentDecisions = "incidents/{id}/decisions";

    /// <summary>POST adds a file (the request body) or a link; GET of <see cref="IncidentEvidenceFile"/> downloads a file.</summary>
    public const string IncidentEvidence = "incidents/{id}/evidence";
    public const string IncidentEvidenceFile = "incidents/{id}/evidence/{evidence}";

    /// <summary>PUT pins a timeline event, DELETE unpins it.</summary>
    public const string IncidentPin = "incidents/{id}/pins/{event}";

    /// <summary>The PagerDuty Events API v2 compatible endpoint: POST /api/v2/enqueue.</summary>
    public const string PagerDutyEvents = "v2/enqueue";

    /// <summary>The signed acknowledge/resolve links in emails: GET/HEAD confirm, POST acts.</summary>
    public const string ResponderLink = "respond/{id}/{action}";

    /// <summary>The OpenAPI 3.1 document of this API, generated from the code.</summary>
    public const string ApiDocument = "openapi.json";

    // The web console (issue 16): HTML pages under the same prefix and sign-in as the API, which their forms call.
    // Console is the incidents list, the console's front page.
    public const string Console = "console";
    public const string ConsoleIncident = "console/incidents/{id}";

    /// <summary>The incident page's live parts, which it polls: its header and panels (by ETag), its timeline (by a cursor).</summary>
    public const string ConsoleIncidentLive = "console/incidents/{id}/live";
    public const string ConsoleIncidentTimeline = "console/incidents/{id}/timeline";

    /// <summary>The incident page's older timeline events, a page at a time.</summary>
    public const string ConsoleIncidentOlder = "console/incidents/{id}/timeline/older";
    public const string ConsoleDeclare = "console/declare";
    public const string ConsoleDashboard = "console/dashboard";

    // The incidents list's live part: answered 204 when nothing changed since the version asked with.
    public const string ConsoleIncidentRows = "console/list";
    public const string ConsoleAsset = "console/assets/{file}";
}

public static class QueueNames
{
    public const string Alerts = "alerts";

    /// <summary>The Functions host moves a message here after host.json's maxDequeueCount failed attempts.</summary>
    public static string PoisonOf(string queue) => queue + "-poison";

    /// <summary>
    /// Never created: the first page's warm-up (Ingestion.FirstPageWarmUp) sends its sample message here, so that the
    /// put runs as an alert's does and storage refuses it for want of the queue.
    /// </summary>
    public const string AbsentForWarmUp = "warm-up-never-created";
}

public static class TableNames
{
    public const string Incidents = "incidents";
    public const string IncidentIndex = "incidentindex";
    public const string AlertKeys = "alertkeys";
    public const string Timeline = "timeline";

    /// <summary>An incident's tasks: PK = incident id, RK = task id.</summary>
    public const string Tasks = "tasks";

    /// <summary>The first answer to each Idempotency-Key of a POST, per caller and operation, kept for a day.</summary>
    public const string Requests = "requests";
}

public static class BlobContainers
{
    /// <summary>Alert batches too large for a queue message are parked here and the message points at them.</summary>
    public const string AlertPayloads = "alert-payloads";

    /// <summary>Files people attach to an incident as evidence: "{incident id}/{evidence id}", kept as long as incidents are.</summary>
    public const string Evidence = "evidence";

    /// <summary>The raw JSON of alerts too large to keep on their row in the incidents table; kept as long as incidents are.</summary>
    public const string AlertEvidence = "alert-evidence";
}

public static class ConnectionNames
{
    /// <summary>The storage connection the Functions host uses; identity-based settings use its __ suffixes.</summary>
    public const string Storage = "AzureWebJobsStorage";
}

/// <summary>
/// Timer schedules. Each is an app setting the host resolves (%setting% in the trigger), so a deployment sets the rhythm
/// without a build and a test can run a job every second; the deployment and the dev host both set the default.
/// </summary>
public static class Schedules
{
    /// <summary>The setting that holds the housekeeping timer's NCRONTAB expression (six fields, seconds first).</summary>
    public const string HousekeepingSetting = "Housekeeping:Schedule";

    /// <summary>As the timer trigger names it.</summary>
    public const string Housekeeping = "%" + HousekeepingSetting + "%";

    /// <summary>Every hour at minute 7: often enough that a day's history never piles up, off the busy full hour.</summary>
    public const string HousekeepingDefault = "0 7 * * * *";
}
