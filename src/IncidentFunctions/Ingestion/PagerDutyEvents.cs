using System.Text;
using System.Text.Json;
using IncidentFunctions.Model;
using IncidentFunctions.Validation;

namespace IncidentFunctions.Ingestion;

/// <summary>One PagerDuty Events API v2 event, validated: the routing key picks the integration, the alert is what it says.</summary>
public sealed record PagerDutyEvent(string RoutingKey, string Action, Alert Alert);

/// <summary>
/// The PagerDuty Events API v2 event (<c>POST /v2/enqueue</c>), so that anything that pages PagerDuty, Prometheus
/// Alertmanager's <c>pagerduty_config</c> among them, can page us instead by changing only the URL.
/// <list type="bullet">
/// <item><c>trigger</c> fires an alert; <c>acknowledge</c> and <c>resolve</c> act on the open incident of the
/// <c>dedup_key</c>, and are dropped when there is none (as PagerDuty does).</item>
/// <item>A trigger without <c>dedup_key</c> gets one, returned in the answer. PagerDuty makes up a random one; we take
/// the <see cref="Fingerprint"/> of summary, source and classification, so that a sender's retry, or the same
/// problem reported again, joins the incident it opened instead of opening another.</item>
/// <item>The documented limits (dedup_key 255, summary 1024 characters) are enforced; free text beyond our own limits
/// (custom details, link texts) is shortened rather than refused.</item>
/// </list>
/// </summary>
public static class PagerDutyEvents
{
    public const string Trigger = "trigger";
    public const string Acknowledge = "acknowledge";
    public const string Resolve = "resolve";

    /// <summary>The Events API accepts events up to 512 KB.</summary>
    public const int MaxBytes = 512 * 1024;

    public const int MaxRoutingKey = 255;
    public const int MaxSummary = 1024;

    /// <summary>Free text is shortened to our limits, never refused for its length (the body limit bounds it).</summary>
    const int AnyLength = int.MaxValue;

    /// <summary>Custom details become labels under this prefix (scalars only) and the description (all of them).</summary>
    public const string DetailLabelPrefix = "details.";

    static readonly Dictionary<string, AlertStatus> Actions = new(StringComparer.Ordinal)
    {
        [Trigger] = AlertStatus.Firing,
        [Acknowledge] = AlertStatus.Acknowledged,
        [Resolve] = AlertStatus.Resolved,
    };

    // PagerDuty's four severities, onto ours: "error" is the one below critical, which we call high.
    static readonly Dictionary<string, Severity> Severities = new(StringComparer.Ordinal)
    {
        ["critical"] = Severity.Critical,
        ["error"] = Severity.High,
        ["warning"] = Severity.Warning,
        ["info"] = Severity.Info,
    };

    static readonly string[] Classification = ["component", "group", "class"];

    public static (PagerDutyEvent? Event, IReadOnlyList<FieldError> Errors) Parse(JsonElement root, string alertId, DateTimeOffset receivedAt)
    {
        var fields = new FieldReader();
        if (!fields.Is(root, JsonValueKind.Object, "body", "a JSON object (one event)"))
        {
            return (null, fields.Errors);
        }

        var routingKey = fields.RequiredString(root, string.Empty, "routing_key", MaxRoutingKey);
        var actionText = fields.RequiredString(root, string.Empty, "event_action", 32);
        fields.OneOf(actionText, "event_action", Actions, out var status);
        var dedupKey = fields.OptionalString(root, string.Empty, "dedup_key", AlertLimits.MaxDedupKey);
        if (dedupKey is not null && string.IsNullOrWhiteSpace(dedupKey))
        {
            fields.Add("dedup_key", FieldReader.NotEmpty);
        }
        else if (dedupKey is null && status != AlertStatus.Firing && actionText is not null)
        {
            fields.Add("dedup_key", $"is required to {actionText}");
        }

        var links = Links(root, fields);
        var alert = status == AlertStatus.Firing
            ? TriggerAlert(root, dedupKey, links, alertId, receivedAt, fields)
            : ActionAlert(root, status, actionText, dedupKey, alertId, receivedAt);
        return fields.Count > 0 || routingKey is null || alert is null
            ? (null, fields.Errors)
            : (new PagerDutyEvent(routingKey, actionText!, alert), fields.Errors);
    }

    static Alert? TriggerAlert(JsonElement root, string? dedupKey, List<AlertLink> links, string alertId, DateTimeOffset receivedAt, FieldReader fields)
    {
        if (!FieldReader.TryGet(root, "payload", out var payload))
        {
            fields.Add("payload", "is required to trigger");
            return null;
        }

        if (!fields.Is(payload, JsonValueKind.Object, "payload"))
        {
            return null;
        }

        const string Payload = "payload";
        var before = fields.Count;
        var summary = fields.RequiredString(payload, Payload, "summary", MaxSummary);
        var source = fields.RequiredString(payload, Payload, "source", AnyLength);
        var severityText = fields.RequiredString(payload, Payload, "severity", 32);
        fields.OneOf(severityText, "payload.severity", Severities, out var severity);
        var occurredAt = fields.OptionalDateTime(payload, Payload, "timestamp");
        var classification = Classification
            .Select(field => KeyValuePair.Create(field, fields.OptionalString(payload, Payload, field, AnyLength)))
            .ToList();

        payload.TryGetProperty("custom_details", out var details);
        if (fields.Count > before || summary is null || source is null)
        {
            return null;
        }

        var labels = AlertText.BoundedLabels(classification.Concat(DetailLabels(details)));
        var shortSource = TextLimits.Shorten(source.Trim(), AlertLimits.MaxSource);
        return new Alert(
            alertId,
            Integration: string.Empty,
            dedupKey ?? Fingerprint.Of(summary, shortSource, labels),
            summary.Trim(),
            severity,
            AlertStatus.Firing,
            shortSource,
            Description(details),
            labels,
            links,
            occurredAt,
            receivedAt,
            Raw: root.GetRawText());
    }

    /// <summary>An acknowledge or resolve carries no payload we need: the dedup key is the whole instruction.</summary>
    static Alert? ActionAlert(JsonElement root, AlertStatus status, string? action, string? dedupKey, string alertId, DateTimeOffset receivedAt) =>
        dedupKey is null || action is null
            ? null
            : new Alert(alertId, string.Empty, dedupKey, $"{action} {dedupKey}", Severity.Info, status, null, null,
                new Dictionary<string, string>(), [], null, receivedAt, Raw: root.GetRawText());

    /// <summary>
    /// <c>links[]</c> ({href, text}) and <c>client_url</c> (titled by <c>client</c>). Wrong types are refused; a link
    /// that is not a web URL is left out, since a sender's configured link cannot be fixed per event.
    /// </summary>
    static List<AlertLink> Links(JsonElement root, FieldReader fields)
    {
        var links = new List<AlertLink>();
        var client = fields.OptionalString(root, string.Empty, "client", AnyLength);
        var clientUrl = fields.OptionalString(root, string.Empty, "client_url", AlertLimits.MaxHref);
        if (clientUrl is not null && AlertLink.IsWebUrl(clientUrl))
        {
            links.Add(new AlertLink(clientUrl, TextLimits.Shorten(client ?? "Client", AlertLimits.MaxLinkText)));
        }

        foreach (var (link, field) in fields.Items(root, string.Empty, "links"))
        {
            if (link.ValueKind != JsonValueKind.Object)
            {
                fields.Add(field, "must be an object with href and text");
                continue;
            }

            var href = fields.RequiredString(link, field, "href", AlertLimits.MaxHref);
            var text = fields.OptionalString(link, field, "text", AnyLength);
            if (href is not null && AlertLink.IsWebUrl(href) && links.Count < AlertLimits.MaxLinks)
            {
                links.Add(new AlertLink(href, text is null ? null : TextLimits.Shorten(text, AlertLimits.MaxLinkText)));
            }
        }

        return links;
    }

    /// <summary>Scalar custom details, in key order, as labels a policy route can match (e.g. details.team).</summary>
    static IEnumerable<KeyValuePair<string, string?>> DetailLabels(JsonElement details)
    {
        if (details.ValueKind != JsonValueKind.Object)
        {
            return [];
        }

        return details.EnumerateObject()
            .Where(p => p.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(DetailLabelPrefix + p.Name, (string?)Scalar(p.Value)));
    }

    /// <summary>Every custom detail as "name: value" lines (a string detail is kept as it is), shortened to fit.</summary>
    static string? Description(JsonElement details)
    {
        var text = details.ValueKind switch
        {
            JsonValueKind.Undefined or JsonValueKind.Null => null,
            JsonValueKind.String => details.GetString(),
            JsonValueKind.Object => Lines(details),
            _ => details.GetRawText(),
        };
        return string.IsNullOrWhiteSpace(text) ? null : TextLimits.Shorten(text.Trim(), AlertLimits.MaxDescription);
    }

    static string Lines(JsonElement details)
    {
        var lines = new StringBuilder();
        foreach (var property in details.EnumerateObject())
        {
            lines.Append(property.Name).Append(": ").Append(Scalar(property.Value)).Append('\n');
            if (lines.Length > AlertLimits.MaxDescription)
            {
                break;
            }
        }

        return lines.ToString();
    }

    static string Scalar(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
}
