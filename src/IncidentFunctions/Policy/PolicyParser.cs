using System.Net.Mail;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using IncidentFunctions.Model;
using IncidentFunctions.Validation;

namespace IncidentFunctions.Policy;

/// <summary>
/// Reads a policy file (JSON) and checks every rule, collecting all broken ones, each with its JSON path, before it
/// refuses the file with one <see cref="InvalidPolicyException"/>. Unknown properties are refused too: a typo such as
/// "delayMinute" must not quietly fall back to a default.
/// </summary>
public sealed partial class PolicyParser
{
    public const int MaxIdLength = 64;
    public const int MaxMinutes = 7 * 24 * 60;
    public const int MaxRepeat = 10;
    public const int DefaultMaxNotifications = 100;
    public const int MaxMaxNotifications = 1000;
    public const int MaxMaintenanceDays = 31;
    const int MaxVersionLength = 64;
    const int MaxNameLength = 256;
    const int MaxEmailLength = 254;
    const int MaxTextLength = 4096;

    /// <summary>A category's playbook is created in one storage batch, which holds at most 100 entities.</summary>
    public const int MaxPlaybookSteps = 100;

    static readonly string[] RootProperties = ["version", "people", "teams", "escalationPolicies", "services", "routes", "defaultService", "maintenanceWindows",
        "incidentRoles", "categories", "communication", "stakeholders", "taskReminderMinutes"];
    static readonly string[] PersonProperties = ["id", "name", "email", "timeZone", "objectId"];
    static readonly string[] TeamProperties = ["id", "name", "members"];
    static readonly string[] EscalationPolicyProperties = ["id", "levels", "repeat", "ackTimeoutMinutes", "autoResolve", "maxNotifications"];
    static readonly string[] LevelProperties = ["targets", "delayMinutes"];
    static readonly string[] TargetProperties = ["person", "team"];
    static readonly string[] ServiceProperties = ["id", "name", "team", "impactTier", "escalationPolicy"];
    static readonly string[] RouteProperties = ["match", "service"];
    static readonly string[] MatchProperties = ["integration", "severity", "labels"];
    static readonly string[] MaintenanceProperties = ["id", "reason", "start", "end", "match", "services"];
    static readonly string[] RoleProperties = ["id", "name", "instructions", "required", "multiple"];
    static readonly string[] CategoryProperties = ["id", "name", "description", "visibility", "initialStage", "playbook"];
    static readonly string[] PlaybookStepProperties = ["title", "description", "assignee", "priority", "dueMinutes", "required", "link"];
    static readonly string[] AssigneeProperties = ["person", "role"];
    static readonly string[] CadenceProperties = ["internalMinutes", "stakeholderMinutes", "requiredRolesWithinMinutes"];
    static readonly string[] StakeholderProperties = ["services", "priorities", "targets"];
    static readonly string[] StakeholderTargetProperties = ["person", "team", "email"];

    // The top-level properties' paths are bare names: "people[0].email", not "$.people[0].email".
    const string TopLevel = "";

    readonly FieldReader fields = new();

    // Person ids by Entra object id, filled while people are read: a signed-in caller is found by it (PolicyPeople).
    readonly Declared<string> objectIds = new();

    // An instance lives only inside Parse, collecting one file's errors.
    PolicyParser()
    {
    }

    /// <summary>Ids end up in signed link tokens, so they are kept to characters that need no escaping.</summary>
    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex IdPattern();

    /// <inheritdoc cref="Parse(ReadOnlyMemory{byte}, string)"/>
    public static IncidentPolicy Parse(string json, string source) => Parse(Encoding.UTF8.GetBytes(json), source);

    /// <summary>
    /// Parses and validates a policy. <paramref name="source"/> (a file path, a setting name, a blob URI) starts the
    /// error message, so the operator knows which file to fix.
    /// </summary>
    /// <exception cref="InvalidPolicyException">The policy breaks one or more rules; all of them are listed.</exception>
    public static IncidentPolicy Parse(ReadOnlyMemory<byte> utf8, string source)
    {
        var parser = new PolicyParser();
        return parser.Read(utf8, source) ?? throw new InvalidPolicyException(source, parser.fields.Errors);
    }

    /// <summary>The policy, or null when any rule is broken.</summary>
    IncidentPolicy? Read(ReadOnlyMemory<byte> utf8, string source)
    {
        JsonDocument document;
        try
        {
            // Editors on Windows save a byte order mark, which the JSON reader refuses; the hash still covers it.
            document = JsonDocument.Parse(utf8.Span.StartsWith(Encoding.UTF8.Preamble) ? utf8[Encoding.UTF8.Preamble.Length..] : utf8);
        }
        catch (JsonException e)
        {
            fields.Add($"line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}", WithoutZeroBasedPosition(e.Message));
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (!fields.StrictObject(root, TopLevel, RootProperties))
            {
                return null;
            }

            var declaredVersion = OptionalString(root, TopLevel, "version", MaxVersionLength);
            var people = People(root);
            var teams = Teams(root, people);
            var escalationPolicies = EscalationPolicies(root, people, teams);
            var services = Services(root, teams, escalationPolicies);
            var routes = Routes(root, services);
            var defaultService = Reference(RequiredString(root, TopLevel, "defaultService", MaxIdLength), "defaultService", "service", services);
            var maintenance = MaintenanceWindows(root, services);
            var response = Response(root, people, teams, services);
            if (fields.Count > 0)
            {
                return null;
            }

            var version = $"{declaredVersion ?? "unversioned"}+{Convert.ToHexStringLower(SHA256.HashData(utf8.Span))[..12]}";
            var counts = new PolicyCounts(people.Count, teams.Count, escalationPolicies.Count, services.Count, routes.Count, maintenance.Count);
            return Assemble(version, source, counts, people, teams, escalationPolicies, services, routes, defaultService, maintenance, response, objectIds);
        }
    }

    /// <summary>Turns the checked entries into what triage uses: every target expanded to people once, at load.</summary>
    static IncidentPolicy Assemble(
        string version,
        string source,
        PolicyCounts counts,
        Declared<Recipient> people,
        Declared<IReadOnlyList<string>> teams,
        Declared<EscalationPolicyEntry> escalationPolicies,
        Declared<ServiceEntry> services,
        IReadOnlyList<RouteEntry> routes,
        string defaultService,
        IReadOnlyList<PolicyMaintenance> maintenance,
        ResponsePolicy response,
        Declared<string> objectIds)
    {
        Recipient[] Members(string team) => teams[team].Select(person => people[person]).ToArray();

        EscalationLevel Level(LevelEntry level) => new(
            level.Targets.SelectMany(t => t.IsTeam ? Members(t.Id) : [people[t.Id]]).DistinctBy(r => r.PersonId).ToArray(),
            level.DelayMinutes);

        var plans = services.Values.ToDictionary(s => s.Id, s =>
        {
            var policy = escalationPolicies[s.EscalationPolicy];
            var escalation = new EscalationPlan(
                policy.Id, policy.Levels.Select(Level).ToArray(), policy.Repeat, policy.AckTimeoutMinutes, policy.AutoResolve,
                Members(s.Team), policy.MaxNotifications);
            return new ServicePlan(s.Id, s.Name, s.Team, s.ImpactTier, escalation);
        });
        return new IncidentPolicy(
            version,
            source,
            counts,
            routes.Select(r => new PolicyRoute(r.Path, r.Match, plans[r.Service])).ToArray(),
            plans,
            plans[defaultService],
            maintenance,
            response,
            new PolicyPeople(
                people.Values,
                objectIds.Entries,
                teams.Entries.ToDictionary(t => t.Key, t => (IReadOnlyList<Recipient>)Members(t.Key)),
                escalationPolicies.Values.ToDictionary(p => p.Id, p => Level(p.Levels[0]).Recipients)));
    }

    Declared<Recipient> People(JsonElement root)
    {
        var people = new Declared<Recipient>();
        foreach (var (item, path) in fields.Items(root, TopLevel, "people", required: true))
        {
            if (fields.StrictObject(item, path, PersonProperties))
            {
                var id = Id(item, path);
                people.Add(id, path, new Recipient(id, RequiredString(item, path, "name", MaxNameLength), Email(item, path), TimeZone(item, path)));
                if (ObjectId(item, path) is { } objectId)
                {
                    objectIds.Add(objectId, FieldReader.Path(path, "objectId"), id);
                }
            }
        }

        fields.AddRange(people.Duplicates("id"));
        fields.AddRange(objectIds.Duplicates("objectId", fieldOfId: false));
        return people;
    }

    Declared<IReadOnlyList<string>> Teams(JsonElement root, Declared<Recipient> people)
    {
        var teams = new Declared<IReadOnlyList<string>>();
        foreach (var (item, path) in fields.Items(root, TopLevel, "teams", required: true))
        {
            if (!fields.StrictObject(item, path, TeamProperties))
            {
                continue;
            }

            var id = Id(item, path);
            RequiredString(item, path, "name", MaxNameLength);
            var members = new Declared<string>();
            foreach (var (member, memberPath) in fields.Items(item, path, "members", required: true, emptyRule: FieldReader.NotEmpty))
            {
                var person = Reference(StringValue(member, memberPath, MaxIdLength), memberPath, "person", people);
                members.Add(person, memberPath, person);
            }

            fields.AddRange(members.Duplicates("member", fieldOfId: false));
            teams.Add(id, path, members.Values.ToArray());
        }

        fields.AddRange(teams.Duplicates("id"));
        return teams;
    }

    Declared<EscalationPolicyEntry> EscalationPolicies(JsonElement root, Declared<Recipient> people, Declared<IReadOnlyList<string>> teams)
    {
        var policies = new Declared<EscalationPolicyEntry>();
        foreach (var (item, path) in fields.Items(root, TopLevel, "escalationPolicies", required: true))
        {
            if (!fields.StrictObject(item, path, EscalationPolicyProperties))
            {
                continue;
            }

            var id = Id(item, path);
            var levels = new List<LevelEntry>();
            foreach (var (level, levelPath) in fields.Items(item, path, "levels", required: true, emptyRule: FieldReader.NotEmpty))
            {
                if (fields.StrictObject(level, levelPath, LevelProperties))
                {
                    var targets = new List<TargetEntry>();
                    foreach (var (target, targetPath) in fields.Items(level, levelPath, "targets", required: true, emptyRule: FieldReader.NotEmpty))
                    {
                        if (Target(target, targetPath, people, teams) is { } entry)
                        {
                            targets.Add(entry);
                        }
                    }

                    levels.Add(new LevelEntry(targets, Minutes(level, levelPath, "delayMinutes", required: true) ?? 0));
                }
            }

            policies.Add(id, path, new EscalationPolicyEntry(
                id,
                levels,
                fields.Integer(item, path, "repeat", 0, MaxRepeat, fallback: 0),
                Minutes(item, path, "ackTimeoutMinutes", required: false),
                fields.Boolean(item, path, "autoResolve", fallback: true),
                fields.Integer(item, path, "maxNotifications", 1, MaxMaxNotifications, fallback: DefaultMaxNotifications)));
        }

        fields.AddRange(policies.Duplicates("id"));
        return policies;
    }

    TargetEntry? Target(JsonElement target, string path, Declared<Recipient> people, Declared<IReadOnlyList<string>> teams)
    {
        if (!fields.StrictObject(target, path, TargetProperties))
        {
            return null;
        }

        // Which of the two it names is decided by presence: a value that is there but wrong is reported once, by its own
        // field, and not again as "names neither".
        switch ((FieldReader.TryGet(target, "person", out _), FieldReader.TryGet(target, "team", out _)))
        {
            case (true, false):
                var person = OptionalString(target, path, "person", MaxIdLength);
                return person is null ? null : new TargetEntry(IsTeam: false, Reference(person, FieldReader.Path(path, "person"), "person", people));
            case (false, true):
                var team = OptionalString(target, path, "team", MaxIdLength);
                return team is null ? null : new TargetEntry(IsTeam: true, Reference(team, FieldReader.Path(path, "team"), "team", teams));
            default:
                fields.Add(path, "must name exactly one of person or team");
                return null;
        }
    }

    Declared<ServiceEntry> Services(JsonElement root, Declared<IReadOnlyList<string>> teams, Declared<EscalationPolicyEntry> escalationPolicies)
    {
        var services = new Declared<ServiceEntry>();
        foreach (var (item, path) in fields.Items(root, TopLevel, "services", required: true))
        {
            if (fields.StrictObject(item, path, ServiceProperties))
            {
                var id = Id(item, path);
                services.Add(id, path, new ServiceEntry(
                    id,
                    RequiredString(item, path, "name", MaxNameLength),
                    Reference(RequiredString(item, path, "team", MaxIdLength), FieldReader.Path(path, "team"), "team", teams),
                    fields.Integer(item, path, "impactTier", 1, 3, fallback: null),
                    Reference(RequiredString(item, path, "escalationPolicy", MaxIdLength), FieldReader.Path(path, "escalationPolicy"), "escalation policy", escalationPolicies)));
            }
        }

        fields.AddRange(services.Duplicates("id"));
        return services;
    }

    List<RouteEntry> Routes(JsonElement root, Declared<ServiceEntry> services)
    {
        var routes = new List<RouteEntry>();
        foreach (var (item, path) in fields.Items(root, TopLevel, "routes"))
        {
            if (fields.StrictObject(item, path, RouteProperties))
            {
                var match = Match(item, path);
                var service = Reference(RequiredString(item, path, "service", MaxIdLength), FieldReader.Path(path, "service"), "service", services);
                routes.Add(new RouteEntry(path, match, service));
            }
        }

        return routes;
    }

    /// <summary>
    /// Planned windows in which matching incidents are recorded but not paged. Times are ISO 8601 with an offset (or Z),
    /// so that a window never depends on the server's zone; a window lasts at most <see cref="MaxMaintenanceDays"/> days,
    /// because a forgotten, endless window would silence paging for good.
    /// </summary>
    List<PolicyMaintenance> MaintenanceWindows(JsonElement root, Declared<ServiceEntry> services)
    {
        var windows = new Declared<PolicyMaintenance>();
        foreach (var (item, path) in fields.Items(root, TopLevel, "maintenanceWindows"))
        {
            if (!fields.StrictObject(item, path, MaintenanceProperties))
            {
                continue;
            }

            var id = Id(item, path);
            var reason = OptionalString(item, path, "reason", MaxNameLength);
            var start = Instant(item, path, "start");
            var end = Instant(item, path, "end");
            if (start is { } from && end is { } until && !(until > from && until - from <= TimeSpan.FromDays(MaxMaintenanceDays)))
            {
                fields.Add(FieldReader.Path(path, "end"), $"must be after start, and at most {MaxMaintenanceDays} days after it");
            }

            var listed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (service, servicePath) in fields.Items(item, path, "services"))
            {
                listed.Add(Reference(StringValue(service, servicePath, MaxIdLength), servicePath, "service", services));
            }

            windows.Add(id, path, new PolicyMaintenance(
                new MaintenanceWindow(id, reason, start ?? default, end ?? default), Match(item, path), listed));
        }

        fields.AddRange(windows.Duplicates("id"));
        return [.. windows.Values];
    }

    /// <summary>
    /// The sections that coordinate a response. Each is optional: a policy without them gets
    /// <see cref="ResponsePolicy.Default"/>'s, and the commander role exists whether or not the file lists it.
    /// </summary>
    ResponsePolicy Response(JsonElement root, Declared<Recipient> people, Declared<IReadOnlyList<string>> teams, Declared<ServiceEntry> services)
    {
        var roles = IncidentRoles(root);
        var categories = Categories(root, people, roles);
        var communication = Communication(root);
        var stakeholders = Stakeholders(root, people, teams, services);
        var taskReminderMinutes = Minutes(root, TopLevel, "taskReminderMinutes", required: false) ?? ResponsePolicy.DefaultTaskReminderMinutes;
        return new ResponsePolicy(roles.Values, categories, communication, stakeholders, taskReminderMinutes);
    }

    /// <summary>
    /// The file's roles, or the default ones when it lists none. The commander is put first when the file leaves it out;
    /// when the file lists it, it may rename it and give it instructions, but not make it optional or shared.
    /// </summary>
    Declared<IncidentRole> IncidentRoles(JsonElement root)
    {
        var roles = new Declared<IncidentRole>();
        if (!FieldReader.TryGet(root, "incidentRoles", out var listedRoles) || listedRoles.ValueKind != JsonValueKind.Array)
        {
            // A section that is there but not a list is reported here; the default roles then stand in for it, so that
            // every playbook naming a role is not reported again as naming an unknown one.
            fields.Items(root, TopLevel, "incidentRoles");
            foreach (var role in ResponsePolicy.DefaultRoles)
            {
                roles.Add(role.Id, "incidentRoles", role);
            }

            return roles;
        }

        var listed = new Declared<IncidentRole>();
        foreach (var (item, path) in fields.Items(root, TopLevel, "incidentRoles"))
        {
            if (!fields.StrictObject(item, path, RoleProperties))
            {
                continue;
            }

            var id = Id(item, path);
            var isCommander = id == ResponsePolicy.Commander;
            var role = new IncidentRole(
                id,
                RequiredString(item, path, "name", MaxNameLength),
                OptionalString(item, path, "instructions", MaxTextLength),
                fields.Boolean(item, path, "required", fallback: isCommander),
                fields.Boolean(item, path, "multiple", fallback: false));
            if (isCommander && !role.Required)
            {
                fields.Add(FieldReader.Path(path, "required"), "the commander role is always required");
            }

            if (isCommander && role.Multiple)
            {
                fields.Add(FieldReader.Path(path, "multiple"), "the commander role always has one holder");
            }

            listed.Add(id, path, role);
        }

        fields.AddRange(listed.Duplicates("id"));
        if (!listed.Contains(ResponsePolicy.Commander))
        {
            roles.Add(ResponsePolicy.Commander, "incidentRoles", ResponsePolicy.DefaultCommander);
        }

        foreach (var role in listed.Values)
        {
            roles.Add(role.Id, "incidentRoles", role);
        }

        return roles;
    }

    List<IncidentCategory> Categories(JsonElement root, Declared<Recipient> people, Declared<IncidentRole> roles)
    {
        var categories = new Declared<IncidentCategory>();
        foreach (var (item, path) in fields.Items(root, TopLevel, "categories"))
        {
            if (!fields.StrictObject(item, path, CategoryProperties))
            {
                continue;
            }

            var id = Id(item, path);
            var name = RequiredString(item, path, "name", MaxNameLength);
            var description = OptionalString(item, path, "description", MaxTextLength);
            var visibility = Named<Visibility>(item, path, "visibility") ?? Visibility.Standard;
            var initialStage = InitialStage(item, path);
            var steps = fields.Items(item, path, "playbook");
            if (steps.Count > MaxPlaybookSteps)
            {
                fields.Add(FieldReader.Path(path, "playbook"), $"must have at most {MaxPlaybookSteps} tasks");
            }

            var playbook = new List<PlaybookStep>();
            foreach (var (step, stepPath) in steps)
            {
                if (PlaybookStep(step, stepPath, people, roles) is { } entry)
                {
                    playbook.Add(entry);
                }
            }

            categories.Add(id, path, new IncidentCategory(id, name, description, visibility, initialStage, playbook));
        }

        fields.AddRange(categories.Duplicates("id"));
        return [.. categories.Values];
    }

    Stage InitialStage(JsonElement category, string path)
    {
        var text = OptionalString(category, path, "initialStage", 32);
        if (text is null)
        {
            return ResponsePolicy.DefaultInitialStage;
        }

        var field = FieldReader.Path(path, "initialStage");
        var allowed = string.Join(", ", ResponsePolicy.InitialStages.Select(s => s.ToString().ToLowerInvariant()));
        if (!FieldReader.TryParseName<Stage>(text, out var stage))
        {
            fields.Add(field, $"unknown stage '{text}'; an incident can start in {allowed}");
        }
        else if (!ResponsePolicy.InitialStages.Contains(stage))
        {
            fields.Add(field, $"an incident cannot start in {stage.ToString().ToLowerInvariant()}; it can start in {allowed}");
        }
        else
        {
            return stage;
        }

        return ResponsePolicy.DefaultInitialStage;
    }

    PlaybookStep? PlaybookStep(JsonElement step, string path, Declared<Recipient> people, Declared<IncidentRole> roles)
    {
        if (!fields.StrictObject(step, path, PlaybookStepProperties))
        {
            return null;
        }

        var title = RequiredString(step, path, "title", MaxNameLength);
        var description = OptionalString(step, path, "description", MaxTextLength);
        var assignee = FieldReader.TryGet(step, "assignee", out var named) ? Assignee(named, FieldReader.Path(path, "assignee"), people, roles) : null;
        var priority = Named<TaskPriority>(step, path, "priority") ?? TaskPriority.Medium;
        var dueMinutes = Minutes(step, path, "dueMinutes", required: false);
        var required = fields.Boolean(step, path, "required", fallback: false);
        var link = OptionalString(step, path, "link", AlertLimits.MaxHref);
        if (link is not null && !AlertLink.IsWebUrl(link))
        {
            fields.Add(FieldReader.Path(path, "link"), "must be an absolute http or https URL");
        }

        return new PlaybookStep(title, description, assignee, priority, dueMinutes, required, link);
    }

    /// <summary>A task is for a person or for whoever holds a role, never for a team: a task everybody owns, nobody does.</summary>
    TaskAssignee? Assignee(JsonElement assignee, string path, Declared<Recipient> people, Declared<IncidentRole> roles)
    {
        var before = fields.Count;
        if (!fields.StrictObject(assignee, path, AssigneeProperties))
        {
            return null;
        }

        switch ((FieldReader.TryGet(assignee, "person", out _), FieldReader.TryGet(assignee, "role", out _)))
        {
            case (true, false):
                var person = OptionalString(assignee, path, "person", MaxIdLength);
                return person is null ? null : TaskAssignee.ToPerson(Reference(person, FieldReader.Path(path, "person"), "person", people));
            case (false, true):
                var role = OptionalString(assignee, path, "role", MaxIdLength);
                return role is null ? null : TaskAssignee.ToRole(Reference(role, FieldReader.Path(path, "role"), "role", roles));
            default:
                // An unknown property ({ "team": ... }) is already reported: its one mistake, not two.
                if (fields.Count == before)
                {
                    fields.Add(path, "must name exactly one of person or role");
                }

                return null;
        }
    }

    /// <summary>
    /// The cadence per priority. A priority the section lists is taken as written, so a field it leaves out (or sets to
    /// null) means "never due"; a priority it does not list keeps its default.
    /// </summary>
    Dictionary<Priority, CommunicationCadence> Communication(JsonElement root)
    {
        const string path = "communication";
        var cadence = new Dictionary<Priority, CommunicationCadence>(ResponsePolicy.DefaultCommunication);
        if (!FieldReader.TryGet(root, path, out var section) || !fields.StrictObject(section, path, Enum.GetNames<Priority>()))
        {
            return cadence;
        }

        foreach (var property in section.EnumerateObject())
        {
            var itemPath = FieldReader.Path(path, property.Name);
            var priority = Enum.GetValues<Priority>().FirstOrDefault(p => p.ToString() == property.Name);
            if (priority == default || property.Value.ValueKind == JsonValueKind.Null || !fields.StrictObject(property.Value, itemPath, CadenceProperties))
            {
                continue;
            }

            cadence[priority] = new CommunicationCadence(
                Minutes(property.Value, itemPath, "internalMinutes", required: false),
                Minutes(property.Value, itemPath, "stakeholderMinutes", required: false),
                Minutes(property.Value, itemPath, "requiredRolesWithinMinutes", required: false));
        }

        return cadence;
    }

    List<StakeholderRule> Stakeholders(JsonElement root, Declared<Recipient> people, Declared<IReadOnlyList<string>> teams, Declared<ServiceEntry> services)
    {
        var rules = new List<StakeholderRule>();
        foreach (var (item, path) in fields.Items(root, TopLevel, "stakeholders"))
        {
            if (!fields.StrictObject(item, path, StakeholderProperties))
            {
                continue;
            }

            // An empty list is refused rather than read as "any": leaving the property out says that.
            var listed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (service, servicePath) in fields.Items(item, path, "services", emptyRule: FieldReader.NotEmpty))
            {
                listed.Add(Reference(StringValue(service, servicePath, MaxIdLength), servicePath, "service", services));
            }

            var priorities = new HashSet<Priority>();
            foreach (var (priority, priorityPath) in fields.Items(item, path, "priorities", emptyRule: FieldReader.NotEmpty))
            {
                var name = StringValue(priority, priorityPath, 8);
                if (FieldReader.TryParseName<Priority>(name, out var parsed))
                {
                    priorities.Add(parsed);
                }
                else if (name.Length > 0)
                {
                    fields.Add(priorityPath, $"must be one of {string.Join(", ", Enum.GetNames<Priority>())}");
                }
            }

            var targets = new List<Stakeholder>();
            foreach (var (target, targetPath) in fields.Items(item, path, "targets", required: true, emptyRule: FieldReader.NotEmpty))
            {
                targets.AddRange(StakeholderTarget(target, targetPath, people, teams));
            }

            rules.Add(new StakeholderRule(listed, priorities, targets));
        }

        return rules;
    }

    /// <summary>A person, a team's members, or an address outside the policy (a mailing list, say).</summary>
    IEnumerable<Stakeholder> StakeholderTarget(JsonElement target, string path, Declared<Recipient> people, Declared<IReadOnlyList<string>> teams)
    {
        var before = fields.Count;
        if (!fields.StrictObject(target, path, StakeholderTargetProperties))
        {
            return [];
        }

        var named = StakeholderTargetProperties.Where(name => FieldReader.TryGet(target, name, out _)).ToArray();
        if (named.Length != 1)
        {
            if (fields.Count == before)
            {
                fields.Add(path, "must name exactly one of person, team or email");
            }

            return [];
        }

        static Stakeholder Of(Recipient person) => new(person.Email, person.Name, person.PersonId);

        switch (named[0])
        {
            case "person":
                var person = Reference(StringValue(target.GetProperty("person"), FieldReader.Path(path, "person"), MaxIdLength), FieldReader.Path(path, "person"), "person", people);
                return people.Contains(person) ? [Of(people[person])] : [];
            case "team":
                var team = Reference(StringValue(target.GetProperty("team"), FieldReader.Path(path, "team"), MaxIdLength), FieldReader.Path(path, "team"), "team", teams);
                return teams.Contains(team) ? teams[team].Where(people.Contains).Select(member => Of(people[member])).ToArray() : [];
            default:
                var email = Email(target, path);
                return email.Length > 0 ? [new Stakeholder(email, email, null)] : [];
        }
    }

    /// <summary>An optional enum value by its lowercase name; "must be one of …" otherwise.</summary>
    T? Named<T>(JsonElement o, string path, string name)
        where T : struct, Enum
    {
        var text = OptionalString(o, path, name, 32);
        if (text is null)
        {
            return null;
        }

        if (FieldReader.TryParseName<T>(text, out var value))
        {
            return value;
        }

        fields.Add(FieldReader.Path(path, name), $"must be one of {string.Join(", ", FieldReader.NamesOf<T>())}");
        return null;
    }

    DateTimeOffset? Instant(JsonElement o, string path, string name)
    {
        var text = RequiredString(o, path, name, 64);
        if (text.Length == 0)
        {
            return null;
        }

        // An offset is required: "2026-11-27T01:00" would mean different instants on different servers.
        if (DateTimeOffset.TryParseExact(text, ["yyyy-MM-ddTHH:mmK", "yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mm:ss.FFFFFFFK"],
                System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var at)
            && (text.EndsWith('Z') || text.Length > 6 && text[^6] is '+' or '-'))
        {
            return at.ToUniversalTime();
        }

        fields.Add(FieldReader.Path(path, name), "must be an ISO 8601 date and time with an offset, e.g. 2026-11-27T01:00:00Z");
        return null;
    }

    RouteMatch Match(JsonElement route, string routePath)
    {
        var path = FieldReader.Path(routePath, "match");
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!route.TryGetProperty("match", out var match) || match.ValueKind == JsonValueKind.Null || !fields.StrictObject(match, path, MatchProperties))
        {
            return new RouteMatch(null, null, labels);
        }

        var integration = OptionalString(match, path, "integration", MaxIdLength);
        if (!string.IsNullOrEmpty(integration) && !IntegrationNames.Pattern().IsMatch(integration))
        {
            fields.Add(FieldReader.Path(path, "integration"), "must be an integration name: 1-64 letters, digits, '-' or '_'");
        }

        HashSet<Severity>? severities = null;
        if (match.TryGetProperty("severity", out var severity) && severity.ValueKind != JsonValueKind.Null)
        {
            severities = [];
            foreach (var (item, itemPath) in fields.Items(match, path, "severity", required: true, emptyRule: FieldReader.NotEmpty))
            {
                var name = StringValue(item, itemPath, 32);
                if (FieldReader.TryParseName<Severity>(name, out var parsed))
                {
                    severities.Add(parsed);
                }
                else if (name.Length > 0)
                {
                    fields.Add(itemPath, $"must be one of {string.Join(", ", FieldReader.NamesOf<Severity>())}");
                }
            }
        }

        var labelsPath = FieldReader.Path(path, "labels");
        if (match.TryGetProperty("labels", out var labelsElement) && labelsElement.ValueKind != JsonValueKind.Null
            && fields.StrictObject(labelsElement, labelsPath, allowed: null))
        {
            foreach (var label in labelsElement.EnumerateObject())
            {
                var labelPath = FieldReader.Path(labelsPath, label.Name);
                if (label.Value.ValueKind == JsonValueKind.String)
                {
                    labels[label.Name] = label.Value.GetString()!;
                }
                else
                {
                    fields.Add(labelPath, $"must be a string, not {FieldReader.Describe(label.Value.ValueKind)}");
                }
            }
        }

        return new RouteMatch(integration, severities, labels);
    }

    // A value that could not be read comes back empty, with its error recorded; the reference checks skip empty values
    // so one mistake is reported once, not again at every place that refers to it. Blank text is never a valid value.
    string RequiredString(JsonElement o, string path, string name, int maxLength) =>
        fields.RequiredString(o, path, name, maxLength) ?? string.Empty;

    string? OptionalString(JsonElement o, string path, string name, int maxLength) =>
        fields.OptionalString(o, path, name, maxLength, allowBlank: false);

    string StringValue(JsonElement value, string field, int maxLength) =>
        fields.String(value, field, maxLength, allowBlank: false) ?? string.Empty;

    double? Minutes(JsonElement o, string path, string name, bool required) =>
        fields.PositiveNumber(o, path, name, MaxMinutes, required, $"must be a number of minutes, more than 0 and at most {MaxMinutes} (a week)");

    string Id(JsonElement o, string path)
    {
        var id = RequiredString(o, path, "id", MaxIdLength);
        if (id.Length > 0 && !IdPattern().IsMatch(id))
        {
            // Still declared: references to it would otherwise repeat this error as "unknown".
            fields.Add(FieldReader.Path(path, "id"), $"must be 1-{MaxIdLength} letters, digits, '.', '_' or '-'");
        }

        return id;
    }

    string Email(JsonElement o, string path)
    {
        var email = RequiredString(o, path, "email", MaxEmailLength);
        // MailAddress also accepts "Name <address>" and trims spaces; a policy names the bare address.
        if (email.Length > 0 && !(MailAddress.TryCreate(email, out var parsed) && parsed.Address == email))
        {
            fields.Add(FieldReader.Path(path, "email"), "must be an email address");
        }

        return email;
    }

    /// <summary>
    /// The person's Entra object id (the `oid` claim), optional: a GUID, kept in its lower-case form so that the
    /// claim matches however the file spells it.
    /// </summary>
    string? ObjectId(JsonElement o, string path)
    {
        if (OptionalString(o, path, "objectId", MaxIdLength) is not { } text)
        {
            return null;
        }

        if (Guid.TryParseExact(text, "D", out var id))
        {
            return id.ToString("D");
        }

        fields.Add(FieldReader.Path(path, "objectId"), "must be an Entra object id, a GUID such as 00000000-0000-0000-0000-000000000000");
        return null;
    }

    string TimeZone(JsonElement o, string path)
    {
        var id = RequiredString(o, path, "timeZone", MaxIdLength);
        if (id.Length == 0)
        {
            return id;
        }

        // Windows ids such as "GMT Standard Time" resolve only on some hosts; IANA ids resolve on every host. The exact
        // spelling is required because a lookup in another case succeeds only if that zone happens to be cached.
        if (TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) && zone.HasIanaId && zone.Id == id)
        {
            return id;
        }

        fields.Add(FieldReader.Path(path, "timeZone"), "must be an IANA time zone id such as Europe/London, spelled exactly");
        return id;
    }

    string Reference<T>(string id, string path, string kind, Declared<T> declared)
    {
        if (id.Length > 0 && !declared.Contains(id))
        {
            fields.Add(path, $"unknown {kind} '{id}'");
        }

        return id;
    }

    /// <summary>The reader's message ends with its zero-based position, which would contradict the one-based one we give.</summary>
    static string WithoutZeroBasedPosition(string message)
    {
        var at = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return at > 0 ? message[..at] : message;
    }

    /// <summary>Entries by id, in file order, remembering every place an id was declared so a duplicate names them all.</summary>
    sealed class Declared<T>
    {
        readonly Dictionary<string, T> entries = new(StringComparer.Ordinal);
        readonly Dictionary<string, List<string>> places = new(StringComparer.Ordinal);
        readonly List<T> values = [];

        public int Count => values.Count;

        public IReadOnlyList<T> Values => values;

        public IReadOnlyDictionary<string, T> Entries => entries;

        public T this[string id] => entries[id];

        public bool Contains(string id) => entries.ContainsKey(id);

        public void Add(string id, string path, T entry)
        {
            if (id.Length == 0)
            {
                return;
            }

            if (places.TryGetValue(id, out var declared))
            {
                declared.Add(path);
            }
            else
            {
                places[id] = [path];
                entries[id] = entry;
                values.Add(entry);
            }
        }

        /// <summary>One error per repeated id, at its first place: "teams[0].id: duplicate id 'platform' (also teams[2])".</summary>
        public IEnumerable<FieldError> Duplicates(string noun, bool fieldOfId = true) =>
            places.Where(p => p.Value.Count > 1).Select(p => new FieldError(
                fieldOfId ? FieldReader.Path(p.Value[0], "id") : p.Value[0],
                $"duplicate {noun} '{p.Key}' (also {string.Join(", ", p.Value.Skip(1))})"));
    }

    sealed record EscalationPolicyEntry(string Id, IReadOnlyList<LevelEntry> Levels, int Repeat, double? AckTimeoutMinutes, bool AutoResolve, int MaxNotifications);

    sealed record LevelEntry(IReadOnlyList<TargetEntry> Targets, double DelayMinutes);

    sealed record TargetEntry(bool IsTeam, string Id);

    sealed record ServiceEntry(string Id, string Name, string Team, int ImpactTier, string EscalationPolicy);

    sealed record RouteEntry(string Path, RouteMatch Match, string Service);
}
