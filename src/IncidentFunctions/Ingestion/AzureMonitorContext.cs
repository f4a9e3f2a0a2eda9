using System.Text.Json;

namespace IncidentFunctions.Ingestion;

/// <summary>
/// What <c>data.alertContext</c> of an Azure Monitor common-schema alert adds where <c>data.essentials</c> says too
/// little. A Cost Management budget alert has no rule, severity or target: its budget is in the context. The context
/// only informs, and its shape differs between alert types, so a member of an unexpected type is passed over, never
/// refused: the essentials are what an alert is accepted or refused on.
/// </summary>
public sealed record AzureMonitorContext(string? Title, IReadOnlyList<(string Key, string? Value)> Labels)
{
    public static AzureMonitorContext? Read(JsonElement context) => Budget(context);

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

        return new AzureMonitorContext(title, labels);
    }

    static JsonElement? Member(JsonElement o, string name) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var value) ? value : null;

    /// <summary>A member's text, trimmed; null when it is missing, blank or not a string.</summary>
    static string? Text(JsonElement o, string name) =>
        Member(o, name) is { ValueKind: JsonValueKind.String } value && value.GetString() is { } text && !string.IsNullOrWhiteSpace(text)
            ? text.Trim()
            : null;
}
