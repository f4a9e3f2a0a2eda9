using System.Text.Json;
using IncidentFunctions.Model;
using IncidentFunctions.Validation;

namespace IncidentFunctions.Ingestion;

/// <summary>
/// An Azure Monitor action group webhook with the common alert schema enabled: one alert per request, described by
/// <c>data.essentials</c>. Fields the incident cannot do without (alert id, condition) are required; every field is
/// refused by path when present with the wrong type or an unknown value, and null counts as absent, since Azure writes
/// null for what an alert type does not have (Cost Management's budget alerts carry no rule, severity, signal type,
/// targets or origin id). Fields that only inform (description, labels) are truncated to the
/// <see cref="AlertLimits"/> rather than refused, because a refused notification is not sent again: an
/// action group retries only 408, 429, 503 and 504. <c>data.alertContext</c> differs by alert type; it is read only
/// where the essentials say too little (see <see cref="AzureMonitorContext"/>), and never refused.
/// </summary>
public static class AzureMonitorFormat
{
    public const string SchemaId = "azureMonitorCommonAlertSchema";
    public const string DefaultSource = "azure-monitor";
    public const string PortalAlertBase = "https://portal.azure.com/#view/Microsoft_Azure_Monitoring_Alerts/AlertDetails.ReactView/alertId/";
    public const string CustomLabelPrefix = "custom.";

    const string EssentialsPath = "data.essentials";
    const string Essentials = EssentialsPath + ".";

    /// <summary>
    /// The severity of an alert that carries none, as budget alerts do. Warning, as for an Alertmanager alert without a
    /// severity label: an alert nobody ranked is worth looking at in working hours, but not worth waking someone as if
    /// it were an outage; and a budget crossing is money, not downtime. A routing policy can raise it.
    /// </summary>
    public const Severity DefaultSeverity = Severity.Warning;

    // Azure Monitor ranks Sev0 (critical) down to Sev4 (verbose). We have four severities, so the two lowest share Info:
    //   Sev0 Critical     -> Critical
    //   Sev1 Error        -> High
    //   Sev2 Warning      -> Warning
    //   Sev3 Informational -> Info
    //   Sev4 Verbose      -> Info
    static readonly Dictionary<string, Severity> SeverityTable = new(StringComparer.Ordinal)
    {
        ["Sev0"] = Severity.Critical,
        ["Sev1"] = Severity.High,
        ["Sev2"] = Severity.Warning,
        ["Sev3"] = Severity.Info,
        ["Sev4"] = Severity.Info,
    };

    static readonly Dictionary<string, AlertStatus> ConditionTable = new(StringComparer.Ordinal)
    {
        ["Fired"] = AlertStatus.Firing,
        ["Resolved"] = AlertStatus.Resolved,
    };

    public static (IReadOnlyList<Alert> Alerts, IReadOnlyList<FieldError> Errors) Parse(
        JsonElement root, string integration, string batchId, DateTimeOffset receivedAt)
    {
        var fields = new FieldReader();
        var alert = ParseOne(root, integration, $"{batchId}-0", receivedAt, fields);
        return fields.Count > 0 || alert is null ? ([], fields.Errors) : ([alert], fields.Errors);
    }

    static Alert? ParseOne(JsonElement root, string integration, string alertId, DateTimeOffset receivedAt, FieldReader fields)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            fields.Add("body", $"must be a JSON object in the Azure Monitor common alert schema, not {FieldReader.Describe(root.ValueKind)}");
            return null;
        }

        if (!root.TryGetProperty("schemaId", out var schema) || schema.ValueKind != JsonValueKind.String || schema.GetString() != SchemaId)
        {
            // The older per-signal schemas (AzureMonitorMetricAlert, Microsoft.Insights/activityLogs, log alert v1)
            // carry different fields; the fix is a checkbox on the action group, so say so.
            fields.Add("schemaId", $"must be {SchemaId} (enable the common alert schema on the action group)");
            return null;
        }

        if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            fields.Add("data", "is required and must be an object");
            return null;
        }

        if (!data.TryGetProperty("essentials", out var essentials) || essentials.ValueKind != JsonValueKind.Object)
        {
            fields.Add("data.essentials", "is required and must be an object");
            return null;
        }

        var azureAlertId = RequiredString(essentials, "alertId", fields);
        if (azureAlertId is not null && azureAlertId.Length > AlertLimits.MaxDedupKey)
        {
            fields.Add(Essentials + "alertId", $"must be at most {AlertLimits.MaxDedupKey} characters");
        }

        var originAlertId = OptionalString(essentials, "originAlertId", fields);
        if (originAlertId is not null && originAlertId.Length > AlertLimits.MaxDedupKey)
        {
            fields.Add(Essentials + "originAlertId", $"must be at most {AlertLimits.MaxDedupKey} characters");
        }

        var rule = NullIfBlank(OptionalString(essentials, "alertRule", fields));
        var severityText = NullIfBlank(OptionalString(essentials, "severity", fields));
        var severity = DefaultSeverity;
        if (severityText is not null && !SeverityTable.TryGetValue(severityText, out severity))
        {
            fields.Add(Essentials + "severity", $"must be one of {string.Join(", ", SeverityTable.Keys)}");
        }

        var conditionText = RequiredString(essentials, "monitorCondition", fields);
        AlertStatus status = default;
        if (conditionText is not null && !ConditionTable.TryGetValue(conditionText, out status))
        {
            fields.Add(Essentials + "monitorCondition", $"must be one of {string.Join(", ", ConditionTable.Keys)}");
        }

        var signalType = OptionalString(essentials, "signalType", fields);
        var monitoringService = OptionalString(essentials, "monitoringService", fields);
        var description = OptionalString(essentials, "description", fields);
        var targets = StringArray(essentials, "alertTargetIDs", fields);
        var configurationItems = StringArray(essentials, "configurationItems", fields);
        var investigationLink = OptionalString(essentials, "investigationLink", fields);
        var customProperties = CustomProperties(data, fields);

        DateTimeOffset? occurredAt = null;
        if (OptionalString(essentials, "firedDateTime", fields) is { } firedText)
        {
            if (FieldReader.TryParseRfc3339(firedText, assumeUtc: true, out var fired))
            {
                occurredAt = fired;
            }
            else
            {
                fields.Add(Essentials + "firedDateTime", "must be an RFC 3339 date and time, e.g. 2026-11-26T03:00:00.1234567Z");
            }
        }

        if (fields.Count > 0 || azureAlertId is null)
        {
            return null;
        }

        var context = data.TryGetProperty("alertContext", out var alertContext) ? AzureMonitorContext.Read(alertContext, monitoringService, targets) : null;
        var title = context?.Title ?? Title(rule, targets, description, monitoringService);
        if (status == AlertStatus.Firing && context?.Resolves == true)
        {
            // Service and Resource Health alerts are activity log alerts: Azure sends every event as "Fired", the one
            // that says the problem is over included.
            status = AlertStatus.Resolved;
        }

        var text = string.Join("\n\n", new[] { context?.Description, description }.Where(t => !string.IsNullOrEmpty(t)));
        var labels = Labels(
            [
                ("signalType", signalType),
                ("monitoringService", monitoringService),
                ("alertRule", rule),
                ("severity", severityText),
                ("alertTargetIDs", string.Join(",", targets)),
                ("configurationItems", string.Join(",", configurationItems)),
                .. context?.Labels ?? [],
            ],
            customProperties);

        var links = new List<AlertLink>();
        if (investigationLink is not null
            && investigationLink.Length <= AlertLimits.MaxHref
            && Uri.TryCreate(investigationLink, UriKind.Absolute, out var investigation)
            && investigation.Scheme == Uri.UriSchemeHttps)
        {
            links.Add(new AlertLink(investigationLink, "Investigate"));
        }

        links.Add(new AlertLink(PortalAlertBase + Uri.EscapeDataString(azureAlertId), "Azure portal"));

        return new Alert(
            alertId,
            integration,
            context?.DedupKey ?? DedupKey(originAlertId, azureAlertId),
            TextLimits.Shorten(title, AlertLimits.MaxTitle),
            severity,
            status,
            string.IsNullOrWhiteSpace(monitoringService) ? DefaultSource : TextLimits.Shorten(monitoringService, AlertLimits.MaxSource),
            text.Length == 0 ? null : TextLimits.Shorten(text, AlertLimits.MaxDescription),
            labels,
            links,
            occurredAt,
            receivedAt,
            Raw: root.GetRawText());
    }

    /// <summary>
    /// The rule and the resource it watched, as a reader knows them; without a rule (budget alerts have none), the first
    /// line of the description, else the monitoring service.
    /// </summary>
    static string Title(string? rule, List<string> targets, string? description, string? monitoringService)
    {
        if (rule is not null)
        {
            return targets.Count > 0 && ResourceName(targets[0]) is { } target ? $"{rule.Trim()} on {target}" : rule.Trim();
        }

        var firstLine = description?.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return firstLine ?? (string.IsNullOrWhiteSpace(monitoringService) ? "Azure Monitor alert" : $"{monitoringService.Trim()} alert");
    }

    /// <summary>
    /// The fired and the resolved notification of a stateful alert are two states of one alert instance, so both carry
    /// the same alertId (the ARM id of the instance under Microsoft.AlertsManagement) and the same originAlertId (the
    /// id the monitoring service gave it). Either pairs a resolve with its fire. originAlertId is preferred because
    /// nothing in it is per instance: for a metric alert it is subscription, resource group, rule name and a number,
    /// so a rule that fires again while its incident is still open lands on that incident instead of opening a twin;
    /// after a resolve, a fire with the same key opens a new incident anyway (<see cref="DedupDecision"/>). alertId,
    /// which is new for every instance, is the fallback for services that leave originAlertId empty. Service and Resource
    /// Health alerts are the exception: each of their events is an alert instance of its own, so the key that the events
    /// of one problem share comes from the context (<see cref="AzureMonitorContext.DedupKey"/>).
    /// </summary>
    static string DedupKey(string? originAlertId, string alertId) =>
        string.IsNullOrWhiteSpace(originAlertId) ? alertId : originAlertId;

    /// <summary>
    /// The well-known labels first, in a fixed order, then custom properties by ordinal key order, so that which
    /// labels are dropped past <see cref="AlertLimits.MaxLabels"/> never depends on the sender's field order.
    /// </summary>
    static Dictionary<string, string> Labels(IEnumerable<(string Key, string? Value)> essentials, IEnumerable<(string Key, string? Value)> custom) =>
        AlertText.BoundedLabels(essentials.Concat(custom.OrderBy(c => c.Key, StringComparer.Ordinal))
            .Select(l => KeyValuePair.Create(l.Key, l.Value)));

    /// <summary>The string-valued custom properties; others (numbers, objects) have no faithful label form.</summary>
    static List<(string Key, string? Value)> CustomProperties(JsonElement data, FieldReader fields)
    {
        var properties = new List<(string, string?)>();
        if (!data.TryGetProperty("customProperties", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return properties;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            fields.Add("data.customProperties", $"must be an object, not {FieldReader.Describe(value.ValueKind)}");
            return properties;
        }

        foreach (var property in value.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.String && property.Name.Length > 0)
            {
                properties.Add((CustomLabelPrefix + property.Name, property.Value.GetString()!));
            }
        }

        return properties;
    }

    static List<string> StringArray(JsonElement o, string name, FieldReader fields)
    {
        var items = new List<string>();
        if (!o.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return items;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            fields.Add(Essentials + name, $"must be an array of strings, not {FieldReader.Describe(value.ValueKind)}");
            return items;
        }

        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String)
            {
                items.Add(item.GetString()!);
            }
            else
            {
                fields.Add($"{Essentials}{name}[{index}]", $"must be a string, not {FieldReader.Describe(item.ValueKind)}");
            }

            index++;
        }

        return items;
    }

    static string? RequiredString(JsonElement o, string name, FieldReader fields) =>
        fields.RequiredString(o, EssentialsPath, name, int.MaxValue);

    static string? OptionalString(JsonElement o, string name, FieldReader fields) =>
        fields.OptionalString(o, EssentialsPath, name, int.MaxValue);

    /// <summary>
    /// "…/virtualMachines/vm-01" gives "vm-01": the resource's own name, which is what a reader recognises. A
    /// subscription's name is a GUID nobody recognises, so a target that is only "/subscriptions/{id}" gives none.
    /// </summary>
    internal static string? ResourceName(string resourceId)
    {
        var segments = resourceId.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var isSubscription = segments.Length == 2 && segments[0].Equals("subscriptions", StringComparison.OrdinalIgnoreCase);
        return segments.Length == 0 || isSubscription ? null : segments[^1];
    }

    /// <summary>Azure writes null for what an alert type lacks; an empty or blank string says the same.</summary>
    static string? NullIfBlank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
