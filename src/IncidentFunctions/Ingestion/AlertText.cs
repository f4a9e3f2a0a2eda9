using IncidentFunctions.Model;

namespace IncidentFunctions.Ingestion;

/// <summary>
/// How the vendor formats fit what a sender cannot change into the <see cref="AlertLimits"/>. A refused
/// notification is never sent again (Alertmanager drops every 4xx, Azure Monitor most), so informative fields are cut
/// to size rather than refused. One rule for every format, so an alert reads the same whoever sent it.
/// </summary>
public static class AlertText
{
    /// <summary>
    /// Labels from <paramref name="candidates"/>, taken in the order given (the caller makes it independent of the
    /// sender's field order), until <see cref="AlertLimits.MaxLabels"/>. Values are truncated; empty values are
    /// skipped; names too long to keep are dropped, since a shortened name could collide with another; the first of
    /// two equal names wins.
    /// </summary>
    public static Dictionary<string, string> BoundedLabels(IEnumerable<KeyValuePair<string, string?>> candidates)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in candidates)
        {
            if (labels.Count == AlertLimits.MaxLabels)
            {
                break;
            }

            if (!string.IsNullOrEmpty(value) && key.Length is > 0 and <= AlertLimits.MaxLabelKey)
            {
                labels.TryAdd(key, TextLimits.Shorten(value, AlertLimits.MaxLabelValue));
            }
        }

        return labels;
    }
}
