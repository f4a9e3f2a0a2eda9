using System.Text.Json;
using IncidentFunctions.Model;
using IncidentFunctions.Validation;

namespace IncidentFunctions.Ingestion;

/// <summary>
/// The generic JSON alert: one object, or an array of up to <see cref="MaxAlertsPerRequest"/> of them.
/// Every rule broken is reported with the path of the field, and nothing is accepted unless all alerts are valid.
/// Unknown fields are ignored so that senders can add their own without breaking.
/// </summary>
public static class GenericAlertFormat
{
    public const int MaxAlertsPerRequest = 100;

    public static IReadOnlyList<string> Severities { get; } = FieldReader.NamesOf<Severity>();

    public static IReadOnlyList<string> Statuses { get; } = FieldReader.NamesOf<AlertStatus>();

    public static (IReadOnlyList<Alert> Alerts, IReadOnlyList<FieldError> Errors) Parse(
        JsonElement root, string integration, string batchId, DateTimeOffset receivedAt)
    {
        var fields = new FieldReader();
        var alerts = new List<Alert>();
        switch (root.ValueKind)
        {
            case JsonValueKind.Object:
                AddIfValid(ParseOne(root, string.Empty, integration, $"{batchId}-0", receivedAt, fields));
                break;
            case JsonValueKind.Array:
                var count = root.GetArrayLength();
                if (count == 0)
                {
                    fields.Add("body", "must contain at least one alert");
                }
                else if (count > MaxAlertsPerRequest)
                {
                    fields.Add("body", $"must contain at most {MaxAlertsPerRequest} alerts");
                }
                else
                {
                    var index = 0;
                    foreach (var item in root.EnumerateArray())
                    {
                        var path = FieldReader.Item(string.Empty, index);
                        if (item.ValueKind != JsonValueKind.Object)
                        {
                            fields.Add(path, "must be an object");
                        }
                        else
                        {
                            AddIfValid(ParseOne(item, path, integration, $"{batchId}-{index}", receivedAt, fields));
                        }

                        index++;
                    }
                }

                break;
            default:
                fields.Add("body", "must be a JSON object (one alert) or an array of alerts");
                break;
        }

        return fields.Count > 0 ? ([], fields.Errors) : (alerts, fields.Errors);

        void AddIfValid(Alert? alert)
        {
            if (alert is not null)
            {
                alerts.Add(alert);
            }
        }
    }

    static Alert? ParseOne(JsonElement o, string path, string integration, string alertId, DateTimeOffset receivedAt, FieldReader fields)
    {
        var before = fields.Count;
        var title = fields.RequiredString(o, path, "title", AlertLimits.MaxTitle);
        var severityText = fields.RequiredString(o, path, "severity", 32);
        Severity severity = default;
        if (severityText is not null && !FieldReader.TryParseName(severityText, out severity))
        {
            fields.Add(FieldReader.Path(path, "severity"), $"must be one of {string.Join(", ", Severities)}");
        }

        var status = AlertStatus.Firing;
        var statusText = fields.OptionalString(o, path, "status", 32);
        if (statusText is not null && !FieldReader.TryParseName(statusText, out status))
        {
            fields.Add(FieldReader.Path(path, "status"), $"must be one of {string.Join(", ", Statuses)}");
        }

        var dedupKey = fields.OptionalString(o, path, "dedupKey", AlertLimits.MaxDedupKey);
        if (dedupKey is not null && string.IsNullOrWhiteSpace(dedupKey))
        {
            // An empty key would merge every such alert of the integration into one incident.
            fields.Add(FieldReader.Path(path, "dedupKey"), "must not be empty; omit it to derive one from the alert");
        }

        var source = fields.OptionalString(o, path, "source", AlertLimits.MaxSource);
        var description = fields.OptionalString(o, path, "description", AlertLimits.MaxDescription);
        var labels = Labels(o, path, fields);
        var links = Links(o, path, fields);
        var occurredAt = fields.OptionalDateTime(o, path, "occurredAt");

        if (fields.Count > before || title is null)
        {
            return null;
        }

        return new Alert(
            alertId,
            integration,
            dedupKey ?? Fingerprint.Of(title, source, labels),
            title.Trim(),
            severity,
            status,
            source,
            description,
            labels,
            links,
            occurredAt,
            receivedAt,
            Raw: o.GetRawText());
    }

    static Dictionary<string, string> Labels(JsonElement o, string path, FieldReader fields)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var field = FieldReader.Path(path, "labels");
        if (!FieldReader.TryGet(o, "labels", out var value) || !fields.Is(value, JsonValueKind.Object, field, "an object of strings"))
        {
            return labels;
        }

        foreach (var label in value.EnumerateObject())
        {
            if (labels.Count == AlertLimits.MaxLabels)
            {
                fields.Add(field, $"must have at most {AlertLimits.MaxLabels} entries");
                break;
            }

            var labelField = FieldReader.Path(field, label.Name);
            if (label.Name.Length is 0 or > AlertLimits.MaxLabelKey)
            {
                fields.Add(labelField, $"label names must be 1 to {AlertLimits.MaxLabelKey} characters");
                continue;
            }

            if (fields.String(label.Value, labelField, AlertLimits.MaxLabelValue) is { } text)
            {
                labels[label.Name] = text;
            }
        }

        return labels;
    }

    static List<AlertLink> Links(JsonElement o, string path, FieldReader fields)
    {
        var links = new List<AlertLink>();
        var items = fields.Items(o, path, "links");
        if (items.Count > AlertLimits.MaxLinks)
        {
            fields.Add(FieldReader.Path(path, "links"), $"must have at most {AlertLimits.MaxLinks} entries");
            return links;
        }

        foreach (var (link, field) in items)
        {
            if (link.ValueKind != JsonValueKind.Object)
            {
                fields.Add(field, "must be an object with href and text");
                continue;
            }

            var href = fields.RequiredString(link, field, "href", AlertLimits.MaxHref);
            var text = fields.OptionalString(link, field, "text", AlertLimits.MaxLinkText);
            if (href is null)
            {
                continue;
            }

            if (!AlertLink.IsWebUrl(href))
            {
                fields.Add(FieldReader.Path(field, "href"), "must be an absolute http or https URL");
                continue;
            }

            links.Add(new AlertLink(href, text));
        }

        return links;
    }
}
