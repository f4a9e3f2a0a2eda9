using System.Text.Json;
using IncidentFunctions.Model;
using IncidentFunctions.Validation;

namespace IncidentFunctions.Ingestion;

/// <summary>
/// Turns one request body into normalized alerts, or into the field errors that refuse it whole. Alert ids are
/// "{batchId}-{index}", stable across queue retries.
/// </summary>
public delegate (IReadOnlyList<Alert> Alerts, IReadOnlyList<FieldError> Errors) AlertParser(
    JsonElement root, string integration, string batchId, DateTimeOffset receivedAt);

/// <summary>The payload formats an integration can be configured to receive (Integrations__{name}__Format).</summary>
public static class AlertFormats
{
    public const string Generic = "generic";
    public const string Alertmanager = "alertmanager";
    public const string Grafana = "grafana";
    public const string AzureMonitor = "azuremonitor";

    /// <summary>PagerDuty Events API v2: received at <see cref="Routes.PagerDutyEvents"/>, where the routing key (one of
    /// the integration's secrets) names the integration.</summary>
    public const string PagerDuty = "pagerduty";

    static readonly Dictionary<string, AlertParser> Parsers = new(StringComparer.OrdinalIgnoreCase)
    {
        [Generic] = GenericAlertFormat.Parse,
        [Alertmanager] = AlertmanagerFormat.Parse,
        [Grafana] = AlertmanagerFormat.ParseGrafana,
        [AzureMonitor] = AzureMonitorFormat.Parse,
        [PagerDuty] = (_, _, _, _) => ([], [new FieldError("integration", $"receives PagerDuty Events API v2 events at POST /{Routes.Prefix}/{Routes.PagerDutyEvents}, not here")]),
    };

    public static IReadOnlyCollection<string> Known => Parsers.Keys;

    /// <summary>The parser for a configured format; the options validator has already refused unknown names.</summary>
    public static AlertParser For(string? format) => Parsers[string.IsNullOrEmpty(format) ? Generic : format];

    public static bool IsKnown(string? format) => string.IsNullOrEmpty(format) || Parsers.ContainsKey(format);
}
