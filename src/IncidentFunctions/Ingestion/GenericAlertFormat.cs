using System.Globalization;
using System.Text.Json;
using IncidentFunctions.Http;

namespace IncidentFunctions.Ingestion;

/// <summary>
/// The generic JSON alert: one object, or an array of up to <see cref="MaxAlertsPerRequest"/> of them.
/// Every rule broken is reported with the path of the field, and nothing is accepted unless all alerts are valid.
/// Unknown fields are ignored so that senders can add their own without breaking.
/// </summary>
public static class GenericAlertFormat
{
    // Limits keep one alert inside a Table Storage entity (a string property holds at most 32K characters).
    public const int MaxAlertsPerRequest = 100;
    public const int MaxTitle = 1024;
    public const int MaxDescription = 16 * 1024;
    public const int MaxDedupKey = 255;
    public const int MaxSource = 255;
    public const int MaxLabels = 64;
    public const int MaxLabelKey = 128;
    public const int MaxLabelValue = 256;
    public const int MaxLinks = 20;
    public const int MaxHref = 2048;
    public const int MaxLinkText = 256;

    public static IReadOnlyList<string> Severities { get; } = Enum.GetNames<Severity>().Select(n => n.ToLowerInvariant()).ToArray();

    public static IReadOnlyList<string> Statuses { get; } = Enum.GetNames<AlertStatus>().Select(n => n.ToLowerInvariant()).ToArray();

    public static (IReadOnlyList<Alert> Alerts, IReadOnlyList<FieldError> Errors) Parse(
        JsonElement root, string integration, string batchId, DateTimeOffset receivedAt)
    {
        var errors = new List<FieldError>();
        var alerts = new List<Alert>();
        switch (root.ValueKind)
        {
            case JsonValueKind.Object:
                AddIfValid(ParseOne(root, string.Empty, integration, $"{batchId}-0", receivedAt, errors));
                break;
            case JsonValueKind.Array:
                var count = root.GetArrayLength();
                if (count == 0)
                {
                    errors.Add(new("body", "must contain at least one alert"));
                }
                else if (count > MaxAlertsPerRequest)
                {
                    errors.Add(new("body", $"must contain at most {MaxAlertsPerRequest} alerts"));
                }
                else
                {
                    var index = 0;
                    foreach (var item in root.EnumerateArray())
                    {
                        var path = $"[{index}].";
                        if (item.ValueKind != JsonValueKind.Object)
                        {
                            errors.Add(new($"[{index}]", "must be an object"));
                        }
                        else
                        {
                            AddIfValid(ParseOne(item, path, integration, $"{batchId}-{index}", receivedAt, errors));
                        }

                        index++;
                    }
                }

                break;
            default:
                errors.Add(new("body", "must be a JSON object (one alert) or an array of alerts"));
                break;
        }

        return errors.Count > 0 ? ([], errors) : (alerts, errors);

        void AddIfValid(Alert? alert)
        {
            if (alert is not null)
            {
                alerts.Add(alert);
            }
        }
    }

    static Alert? ParseOne(JsonElement o, string path, string integration, string alertId, DateTimeOffset receivedAt, List<FieldError> errors)
    {
        var before = errors.Count;
        var title = RequiredString(o, "title", path, MaxTitle, errors);
        var severityText = RequiredString(o, "severity", path, 32, errors);
        Severity severity = default;
        if (severityText is not null && !TryParseName(severityText, out severity))
        {
            errors.Add(new(path + "severity", $"must be one of {string.Join(", ", Severities)}"));
        }

        var status = AlertStatus.Firing;
        var statusText = OptionalString(o, "status", path, 32, errors);
        if (statusText is not null && !TryParseName(statusText, out status))
        {
            errors.Add(new(path + "status", $"must be one of {string.Join(", ", Statuses)}"));
        }

        var dedupKey = OptionalString(o, "dedupKey", path, MaxDedupKey, errors);
        if (dedupKey is not null && string.IsNullOrWhiteSpace(dedupKey))
        {
            // An empty key would merge every such alert of the integration into one incident.
            errors.Add(new(path + "dedupKey", "must not be empty; omit it to derive one from the alert"));
        }

        var source = OptionalString(o, "source", path, MaxSource, errors);
        var description = OptionalString(o, "description", path, MaxDescription, errors);
        var labels = Labels(o, path, errors);
        var links = Links(o, path, errors);
        DateTimeOffset? occurredAt = null;
        var occurredText = OptionalString(o, "occurredAt", path, 64, errors);
        if (occurredText is not null)
        {
            if (DateTimeOffset.TryParse(occurredText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                occurredAt = parsed.ToUniversalTime();
            }
            else
            {
                errors.Add(new(path + "occurredAt", "must be an ISO 8601 date and time, e.g. 2026-11-26T03:00:00Z"));
            }
        }

        if (errors.Count > before || title is null)
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

    /// <summary>Accepts an enum member's name in any case, but never a number: "0" is not a severity.</summary>
    public static bool TryParseName<T>(string text, out T value)
        where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (string.Equals(candidate.ToString(), text, StringComparison.OrdinalIgnoreCase))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }

    internal static string? RequiredString(JsonElement o, string name, string path, int max, List<FieldError> errors)
    {
        if (!o.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            errors.Add(new(path + name, "is required"));
            return null;
        }

        var text = StringValue(value, path + name, max, errors);
        if (text is not null && string.IsNullOrWhiteSpace(text))
        {
            errors.Add(new(path + name, "must not be empty"));
            return null;
        }

        return text;
    }

    internal static string? OptionalString(JsonElement o, string name, string path, int max, List<FieldError> errors) =>
        o.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? StringValue(value, path + name, max, errors)
            : null;

    static string? StringValue(JsonElement value, string field, int max, List<FieldError> errors)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(new(field, $"must be a string, not {Describe(value.ValueKind)}"));
            return null;
        }

        var text = value.GetString()!;
        if (text.Length > max)
        {
            errors.Add(new(field, $"must be at most {max} characters"));
            return null;
        }

        return text;
    }

    static Dictionary<string, string> Labels(JsonElement o, string path, List<FieldError> errors)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!o.TryGetProperty("labels", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return labels;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new(path + "labels", $"must be an object of strings, not {Describe(value.ValueKind)}"));
            return labels;
        }

        foreach (var label in value.EnumerateObject())
        {
            var field = $"{path}labels.{label.Name}";
            if (labels.Count == MaxLabels)
            {
                errors.Add(new(path + "labels", $"must have at most {MaxLabels} entries"));
                break;
            }

            if (label.Name.Length is 0 or > MaxLabelKey)
            {
                errors.Add(new(field, $"label names must be 1 to {MaxLabelKey} characters"));
                continue;
            }

            if (StringValue(label.Value, field, MaxLabelValue, errors) is { } text)
            {
                labels[label.Name] = text;
            }
        }

        return labels;
    }

    static List<AlertLink> Links(JsonElement o, string path, List<FieldError> errors)
    {
        var links = new List<AlertLink>();
        if (!o.TryGetProperty("links", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return links;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new(path + "links", $"must be an array, not {Describe(value.ValueKind)}"));
            return links;
        }

        if (value.GetArrayLength() > MaxLinks)
        {
            errors.Add(new(path + "links", $"must have at most {MaxLinks} entries"));
            return links;
        }

        var index = 0;
        foreach (var link in value.EnumerateArray())
        {
            var field = $"{path}links[{index++}]";
            if (link.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new(field, "must be an object with href and text"));
                continue;
            }

            var href = RequiredString(link, "href", field + ".", MaxHref, errors);
            var text = OptionalString(link, "text", field + ".", MaxLinkText, errors);
            if (href is null)
            {
                continue;
            }

            if (!AlertLink.IsWebUrl(href))
            {
                errors.Add(new(field + ".href", "must be an absolute http or https URL"));
                continue;
            }

            links.Add(new AlertLink(href, text));
        }

        return links;
    }

    /// <summary>How a wrong JSON value is named in a field error; shared by every format.</summary>
    internal static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.String => "a string",
        _ => "null",
    };
}
