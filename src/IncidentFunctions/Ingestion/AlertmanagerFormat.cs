using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IncidentFunctions.Model;
using IncidentFunctions.Validation;

namespace IncidentFunctions.Ingestion;

/// <summary>
/// The Prometheus Alertmanager webhook (payload version "4") and Grafana alerting's webhook, which sends the same
/// shape plus per-alert dashboard, panel and silence URLs and query values. One alert in the payload becomes one
/// <see cref="Alert"/>; the group fields (groupKey, commonLabels ...) are ignored because every alert carries its own
/// full label set. Unknown fields are ignored so that new sender versions keep working.
/// </summary>
/// <remarks>
/// Both senders drop a notification for good on any 4xx, and neither can change what it sends. So only what makes an
/// alert unidentifiable or meaningless refuses the batch (a wrong version, a missing status, labels that are not
/// strings, an unreadable start time); oversized text is truncated, surplus labels are dropped, and a malformed URL or
/// annotation is skipped.
/// </remarks>
public static class AlertmanagerFormat
{
    public const string AlertmanagerVersion = "4";

    /// <summary>How Go writes an unset time.Time; Alertmanager sends it for an alert that has not ended.</summary>
    const string GoZeroTime = "0001-01-01T00:00:00Z";

    const string AnnotationPrefix = "annotation.";
    const string ValuePrefix = "value.";

    static readonly (string Field, string Text)[] AlertmanagerLinks = [("generatorURL", "Source")];

    static readonly (string Field, string Text)[] GrafanaLinks =
        [("generatorURL", "Source"), ("dashboardURL", "Dashboard"), ("panelURL", "Panel"), ("silenceURL", "Silence")];

    /// <summary>Parses an Alertmanager webhook payload; the version must be "4".</summary>
    public static (IReadOnlyList<Alert> Alerts, IReadOnlyList<FieldError> Errors) Parse(
        JsonElement root, string integration, string batchId, DateTimeOffset receivedAt) =>
        ParseFlavour(Flavour.Alertmanager, root, integration, batchId, receivedAt);

    /// <summary>
    /// Parses a Grafana alerting webhook payload. Grafana sends version "1"; any version is accepted because its
    /// alert fields have not changed with it.
    /// </summary>
    public static (IReadOnlyList<Alert> Alerts, IReadOnlyList<FieldError> Errors) ParseGrafana(
        JsonElement root, string integration, string batchId, DateTimeOffset receivedAt) =>
        ParseFlavour(Flavour.Grafana, root, integration, batchId, receivedAt);

    /// <summary>
    /// The severity named by a label or annotation. Absent or unknown is <see cref="Severity.Warning"/>: an alert
    /// nobody classified is worth looking at, but not worth waking someone as if it were critical.
    /// </summary>
    public static Severity SeverityOf(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "critical" or "page" or "p1" or "emergency" or "alert" => Severity.Critical,
        "high" or "error" or "major" or "p2" => Severity.High,
        "warning" or "warn" or "minor" or "p3" => Severity.Warning,
        "info" or "informational" or "low" or "none" or "p4" or "p5" => Severity.Info,
        _ => Severity.Warning,
    };

    /// <summary>
    /// The dedup key of an alert without a sender fingerprint: a hash of its complete label set (before any truncation
    /// or dropping, so that alerts differing only beyond the limits stay apart). Labels are sorted and every part is
    /// length-prefixed, as in <see cref="Fingerprint"/>, so that the order labels arrive in does not matter and text
    /// cannot shift between a name and a value to collide.
    /// </summary>
    public static string LabelSetKey(IReadOnlyDictionary<string, string> labels)
    {
        var canonical = new StringBuilder();
        foreach (var (key, value) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            canonical.Append(key.Length).Append(':').Append(key).Append(';');
            canonical.Append(value.Length).Append(':').Append(value).Append(';');
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString()));
        return Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }

    enum Flavour
    {
        Alertmanager,
        Grafana,
    }

    static (IReadOnlyList<Alert> Alerts, IReadOnlyList<FieldError> Errors) ParseFlavour(
        Flavour flavour, JsonElement root, string integration, string batchId, DateTimeOffset receivedAt)
    {
        var fields = new FieldReader();
        if (!fields.Is(root, JsonValueKind.Object, "body", $"a JSON object (a {Name(flavour)} webhook payload)"))
        {
            return ([], fields.Errors);
        }

        CheckVersion(flavour, root, fields);
        var receiver = root.TryGetProperty("receiver", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;

        var alerts = new List<Alert>();
        var items = fields.Items(root, string.Empty, "alerts", required: true, emptyRule: "must contain at least one alert");
        if (items.Count > GenericAlertFormat.MaxAlertsPerRequest)
        {
            // Alertmanager sends a whole group in one request unless the receiver sets max_alerts.
            fields.Add("alerts", $"must contain at most {GenericAlertFormat.MaxAlertsPerRequest} alerts; set max_alerts on the webhook receiver");
        }
        else
        {
            var index = 0;
            foreach (var (item, path) in items)
            {
                if (fields.Is(item, JsonValueKind.Object, path)
                    && ParseOne(flavour, item, path, receiver, integration, $"{batchId}-{index}", receivedAt, fields) is { } alert)
                {
                    alerts.Add(alert);
                }

                index++;
            }
        }

        return fields.Count > 0 ? ([], fields.Errors) : (alerts, fields.Errors);
    }

    static void CheckVersion(Flavour flavour, JsonElement root, FieldReader fields)
    {
        var present = FieldReader.TryGet(root, "version", out var version);
        if (flavour == Flavour.Grafana)
        {
            if (present)
            {
                fields.Is(version, JsonValueKind.String, "version");
            }

            return;
        }

        if (!present)
        {
            fields.Add("version", $"is required and must be \"{AlertmanagerVersion}\"");
        }
        else if (version.ValueKind != JsonValueKind.String || version.GetString() != AlertmanagerVersion)
        {
            // Another version may have changed what the fields mean; reading it as version 4 could page wrongly.
            fields.Add("version", $"must be \"{AlertmanagerVersion}\" (the Alertmanager webhook payload version this parser reads)");
        }
    }

    static Alert? ParseOne(
        Flavour flavour, JsonElement o, string path, string? receiver, string integration, string alertId, DateTimeOffset receivedAt, FieldReader fields)
    {
        var before = fields.Count;
        var status = Status(o, path, fields);
        var labels = Labels(o, path, fields);
        var occurredAt = StartsAt(o, path, fields);
        if (fields.Count > before || status is null || labels is null)
        {
            return null;
        }

        var annotations = Annotations(o);
        var summary = NonEmpty(annotations.GetValueOrDefault("summary"));
        var description = NonEmpty(annotations.GetValueOrDefault("description")) ?? NonEmpty(annotations.GetValueOrDefault("message"));
        var title = summary ?? DefaultTitle(flavour, labels);
        var source = NonEmpty(labels.GetValueOrDefault("job")) ?? NonEmpty(receiver) ?? Name(flavour).ToLowerInvariant();
        var severity = SeverityOf(labels.GetValueOrDefault("severity") ?? annotations.GetValueOrDefault("severity"));
        var dedupKey = SenderFingerprint(o) ?? LabelSetKey(labels);

        var extra = new List<KeyValuePair<string, string>>();
        extra.AddRange(annotations
            .Where(a => a.Key is not ("summary" or "description"))
            .Select(a => KeyValuePair.Create(AnnotationPrefix + a.Key, a.Value)));
        if (flavour == Flavour.Grafana)
        {
            extra.AddRange(Values(o).Select(v => KeyValuePair.Create(ValuePrefix + v.Key, v.Value)));
        }

        return new Alert(
            alertId,
            integration,
            dedupKey,
            TextLimits.Shorten(title.Trim(), AlertLimits.MaxTitle),
            severity,
            status.Value,
            TextLimits.Shorten(source, AlertLimits.MaxSource),
            description is null ? null : TextLimits.Shorten(description, AlertLimits.MaxDescription),
            Bounded(labels, extra),
            Links(o, flavour == Flavour.Grafana ? GrafanaLinks : AlertmanagerLinks),
            occurredAt,
            receivedAt,
            Raw: o.GetRawText());
    }

    static AlertStatus? Status(JsonElement o, string path, FieldReader fields)
    {
        var field = FieldReader.Path(path, "status");
        if (!FieldReader.TryGet(o, "status", out var value))
        {
            fields.Add(field, "is required");
            return null;
        }

        // Alertmanager and Grafana only notify "firing" and "resolved"; "pending" and the like never reach a webhook.
        if (value.ValueKind == JsonValueKind.String && FieldReader.TryParseName<AlertStatus>(value.GetString()!, out var status))
        {
            return status;
        }

        fields.Add(field, $"must be one of {string.Join(", ", GenericAlertFormat.Statuses)}");
        return null;
    }

    /// <summary>The alert's labels exactly as sent; they identify the alert, so anything but strings refuses it.</summary>
    static Dictionary<string, string>? Labels(JsonElement o, string path, FieldReader fields)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var field = FieldReader.Path(path, "labels");
        if (!FieldReader.TryGet(o, "labels", out var value))
        {
            return labels;
        }

        if (!fields.Is(value, JsonValueKind.Object, field, "an object of strings"))
        {
            return null;
        }

        var before = fields.Count;
        foreach (var label in value.EnumerateObject())
        {
            if (fields.String(label.Value, FieldReader.Path(field, label.Name), int.MaxValue) is { } text)
            {
                labels[label.Name] = text;
            }
        }

        return fields.Count == before ? labels : null;
    }

    static DateTimeOffset? StartsAt(JsonElement o, string path, FieldReader fields)
    {
        if (!FieldReader.TryGet(o, "startsAt", out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            var text = value.GetString()!;
            if (text == GoZeroTime)
            {
                return null;
            }

            if (FieldReader.TryParseRfc3339(text, assumeUtc: false, out var parsed))
            {
                return parsed;
            }
        }

        fields.Add(FieldReader.Path(path, "startsAt"), "must be an RFC 3339 date and time, e.g. 2026-11-26T03:00:00Z");
        return null;
    }

    /// <summary>Annotations are descriptive text; one that is not a string is skipped rather than refusing the alert.</summary>
    static Dictionary<string, string> Annotations(JsonElement o)
    {
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        if (o.TryGetProperty("annotations", out var value) && value.ValueKind == JsonValueKind.Object)
        {
            foreach (var annotation in value.EnumerateObject())
            {
                if (annotation.Value.ValueKind == JsonValueKind.String)
                {
                    annotations[annotation.Name] = annotation.Value.GetString()!;
                }
            }
        }

        return annotations;
    }

    /// <summary>Grafana's query results that the alert condition evaluated, e.g. {"B": 97.3, "C": 1}.</summary>
    static IEnumerable<KeyValuePair<string, string>> Values(JsonElement o)
    {
        if (!o.TryGetProperty("values", out var value) || value.ValueKind != JsonValueKind.Object)
        {
            yield break;
        }

        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind == JsonValueKind.Number)
            {
                yield return KeyValuePair.Create(item.Name, item.Value.GetRawText());
            }
        }
    }

    /// <summary>
    /// The alert's labels, then its other annotations and values, each group in key order so that the same alert
    /// always keeps the same labels when there are more than the limit.
    /// </summary>
    static Dictionary<string, string> Bounded(Dictionary<string, string> labels, List<KeyValuePair<string, string>> extra) =>
        AlertText.BoundedLabels(labels.OrderBy(l => l.Key, StringComparer.Ordinal)
            .Concat(extra.OrderBy(e => e.Key, StringComparer.Ordinal))
            .Select(l => KeyValuePair.Create(l.Key, (string?)l.Value)));

    /// <summary>The sender's own fingerprint, when it is a usable key; otherwise the label set is hashed.</summary>
    static string? SenderFingerprint(JsonElement o) =>
        o.TryGetProperty("fingerprint", out var value)
        && value.ValueKind == JsonValueKind.String
        && NonEmpty(value.GetString()) is { Length: <= AlertLimits.MaxDedupKey } fingerprint
            ? fingerprint
            : null;

    static List<AlertLink> Links(JsonElement o, (string Field, string Text)[] fields)
    {
        var links = new List<AlertLink>();
        foreach (var (field, text) in fields)
        {
            if (o.TryGetProperty(field, out var value)
                && value.ValueKind == JsonValueKind.String
                && value.GetString() is { Length: > 0 and <= AlertLimits.MaxHref } href
                && AlertLink.IsWebUrl(href))
            {
                links.Add(new AlertLink(href, text));
            }
        }

        return links;
    }

    static string DefaultTitle(Flavour flavour, Dictionary<string, string> labels)
    {
        if (NonEmpty(labels.GetValueOrDefault("alertname")) is not { } alertName)
        {
            return $"{Name(flavour)} alert";
        }

        return NonEmpty(labels.GetValueOrDefault("instance")) is { } instance ? $"{alertName} on {instance}" : alertName;
    }

    static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    static string Name(Flavour flavour) => flavour == Flavour.Grafana ? "Grafana" : "Alertmanager";
}
