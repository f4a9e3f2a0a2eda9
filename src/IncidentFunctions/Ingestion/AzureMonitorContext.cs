using System.Text.Json;
using IncidentFunctions.Model;

namespace IncidentFunctions.Ingestion;

/// <summary>
/// What <c>data.alertContext</c> of an Azure Monitor common-schema alert adds where <c>data.essentials</c> says too
/// little: a Service Health or Resource Health alert's essentials name only the rule and a subscription or resource,
/// and a Cost Management budget alert's have no rule, severity or target at all. The context only informs, and its
/// shape differs between alert types and even between Azure's own samples of one type (Service Health's
/// impactedServices is a JSON string in one, an array in another), so a member of an unexpected type is passed over,
/// never refused: the essentials are what an alert is accepted or refused on.
/// </summary>
/// <param name="Title">The incident's title, instead of the rule's.</param>
/// <param name="Description">The event's own text, shown before the rule's description.</param>
/// <param name="Labels">In a fixed order, after the essentials' labels.</param>
/// <param name="Resolves">The event says the problem is over, though Azure sends it as "Fired".</param>
/// <param name="DedupKey">The key the events of one problem share, instead of the alert's own.</param>
public sealed record AzureMonitorContext(
    string? Title,
    string? Description,
    IReadOnlyList<(string Key, string? Value)> Labels,
    bool Resolves = false,
    string? DedupKey = null)
{
    // A Service Health issue is over at these stages (Azure documents Active, Resolved and RCA for incidents and security
    // issues; Active, Planned, InProgress, Canceled, Rescheduled, Resolved and Complete for maintenance). An RCA is the
    // root-cause report that follows a resolution: as a resolve it is noted on the resolved incident instead of opening
    // a new one.
    static readonly HashSet<string> FinalStages = new(["Resolved", "Complete", "Canceled", "RCA"], StringComparer.OrdinalIgnoreCase);

    public static AzureMonitorContext? Read(JsonElement context, string? monitoringService, IReadOnlyList<string> targets)
    {
        var properties = Member(context, "properties") ?? default;
        return MonitoringService(monitoringService) switch
        {
            "servicehealth" => ServiceHealth(context, properties),
            "resourcehealth" => ResourceHealth(context, properties, targets),
            _ => Budget(context),
        };
    }

    /// <summary>Azure spells them "ServiceHealth" and "Resource Health" alike.</summary>
    static string? MonitoringService(string? name) => name?.Replace(" ", string.Empty, StringComparison.Ordinal).ToLowerInvariant();

    /// <summary>
    /// "Service Health: {title} ({service}, {region})", the communication as description (HTML as sent: it is data, and
    /// every page escapes it), and the tracking id as key: each communication of an issue (active, updates, resolved)
    /// is a separate activity log alert with ids of its own, and only the tracking id ties them together.
    /// </summary>
    static AzureMonitorContext ServiceHealth(JsonElement context, JsonElement properties)
    {
        var title = Text(properties, "title") ?? Text(properties, "defaultLanguageTitle");
        var service = Text(properties, "service");
        var region = Text(properties, "region");
        var stage = Text(properties, "stage");
        var trackingId = Text(properties, "trackingId");
        return new AzureMonitorContext(
            title is null ? null : $"Service Health: {title}{Parenthesised(service, region)}",
            Text(properties, "communication") ?? Text(properties, "defaultLanguageContent"),
            [
                ("incidentType", Text(properties, "incidentType")),
                ("stage", stage),
                ("service", service),
                ("region", region),
                ("trackingId", trackingId),
                ("impactedServices", ImpactedServices(properties)),
            ],
            Resolves: (stage is not null && FinalStages.Contains(stage)) || IsResolved(context),
            DedupKey: trackingId is null ? null : Key("ServiceHealth", trackingId));
    }

    /// <summary>
    /// "Resource Health: {title} ({resource}, {health})", the details as description, and the resource as key: the
    /// outage and the recovery are separate activity log alerts, and the resource is what they share. A resource that
    /// is Available again, or an event Azure marks Resolved, resolves.
    /// </summary>
    static AzureMonitorContext ResourceHealth(JsonElement context, JsonElement properties, IReadOnlyList<string> targets)
    {
        var title = Text(properties, "title");
        var health = Text(properties, "currentHealthStatus");
        var resource = targets.Count > 0 ? AzureMonitorFormat.ResourceName(targets[0]) : null;
        return new AzureMonitorContext(
            title is null ? null : $"Resource Health: {title}{Parenthesised(resource, health)}",
            Text(properties, "details"),
            [
                ("currentHealthStatus", health),
                ("previousHealthStatus", Text(properties, "previousHealthStatus")),
                ("cause", Text(properties, "cause")),
                ("type", Text(properties, "type")),
            ],
            Resolves: string.Equals(health, "Available", StringComparison.OrdinalIgnoreCase) || IsResolved(context),
            // ARM ids are case-insensitive, and Azure writes "resourcegroups" in one place and "resourceGroups" in another.
            DedupKey: resource is null ? null : Key("ResourceHealth", targets[0].TrimEnd('/').ToLowerInvariant()));
    }

    /// <summary>
    /// "Budget {name}: actual cost above $25.00" (or forecasted), from <c>AlertData</c>; every string member of
    /// <c>AlertData</c> is kept as a label under its own name, in ordinal order, after <c>AlertCategory</c>.
    /// </summary>
    static AzureMonitorContext? Budget(JsonElement context)
    {
        if (Member(context, "AlertData") is not { ValueKind: JsonValueKind.Object } data)
        {
            return null;
        }

        List<(string Key, string? Value)> labels =
        [
            ("AlertCategory", Text(context, "AlertCategory")),
            .. data.EnumerateObject()
                .Where(m => m.Value.ValueKind == JsonValueKind.String)
                .OrderBy(m => m.Name, StringComparer.Ordinal)
                .Select(m => (m.Name, (string?)m.Value.GetString())),
        ];

        string? title = null;
        if (Text(data, "BudgetName") is { } budget)
        {
            var spend = $"{Text(data, "ThresholdType")} {Text(data, "BudgetType") ?? "cost"}".Trim().ToLowerInvariant();
            title = Text(data, "NotificationThresholdAmount") is { } amount ? $"Budget {budget}: {spend} above {amount}" : $"Budget {budget}";
        }

        return new AzureMonitorContext(title, null, labels);
    }

    static bool IsResolved(JsonElement context) => string.Equals(Text(context, "status"), "Resolved", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// "Virtual Machines (East US, West Europe); Key Vault". Azure sends the list as an array, or as a string holding
    /// the array's JSON; a string that is not JSON is kept as it is.
    /// </summary>
    static string? ImpactedServices(JsonElement properties)
    {
        var value = Member(properties, "impactedServices");
        if (value is { ValueKind: JsonValueKind.Array } array)
        {
            return DescribeServices(array);
        }

        if (Text(properties, "impactedServices") is not { } text)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Array ? DescribeServices(document.RootElement) : text;
        }
        catch (JsonException)
        {
            return text;
        }
    }

    static string? DescribeServices(JsonElement services)
    {
        var described = services.EnumerateArray()
            .Select(service => (Name: Text(service, "ServiceName"), Regions: Member(service, "ImpactedRegions")))
            .Where(service => service.Name is not null)
            .Select(service =>
            {
                var regions = service.Regions is { ValueKind: JsonValueKind.Array } list
                    ? list.EnumerateArray().Select(region => Text(region, "RegionName")).OfType<string>().ToList()
                    : [];
                return regions.Count == 0 ? service.Name : $"{service.Name} ({string.Join(", ", regions)})";
            });
        return string.Join("; ", described) is { Length: > 0 } text ? text : null;
    }

    /// <summary>" (a, b)" of the parts present, or nothing.</summary>
    static string Parenthesised(params string?[] parts) =>
        parts.OfType<string>().ToList() is { Count: > 0 } present ? $" ({string.Join(", ", present)})" : string.Empty;

    /// <summary>"{kind}:{id}", or a hash of it where an id is too long to be a dedup key.</summary>
    static string Key(string kind, string id)
    {
        var key = $"{kind}:{id}";
        return key.Length <= AlertLimits.MaxDedupKey ? key : Fingerprint.Of(id, kind, new Dictionary<string, string>());
    }

    static JsonElement? Member(JsonElement o, string name) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var value) ? value : null;

    /// <summary>A member's text, trimmed; null when it is missing, blank or not a string.</summary>
    static string? Text(JsonElement o, string name) =>
        Member(o, name) is { ValueKind: JsonValueKind.String } value && value.GetString() is { } text && !string.IsNullOrWhiteSpace(text)
            ? text.Trim()
            : null;
}
