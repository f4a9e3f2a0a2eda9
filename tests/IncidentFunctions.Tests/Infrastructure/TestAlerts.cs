using IncidentFunctions.Model;

namespace IncidentFunctions.Tests.Infrastructure;

public static class TestAlerts
{
    /// <summary>A fresh key per test keeps tests that share one Azurite apart.</summary>
    public static string NewKey(string prefix = "key") => $"{prefix}-{Guid.NewGuid():N}";

    public static Alert Firing(string integration, string dedupKey, string? id = null, DateTimeOffset? receivedAt = null) =>
        Create(integration, dedupKey, AlertStatus.Firing, id, receivedAt);

    public static Alert Resolved(string integration, string dedupKey, string? id = null, DateTimeOffset? receivedAt = null) =>
        Create(integration, dedupKey, AlertStatus.Resolved, id, receivedAt);

    public static Alert Acknowledged(string integration, string dedupKey, string? id = null) =>
        Create(integration, dedupKey, AlertStatus.Acknowledged, id, null);

    static Alert Create(string integration, string dedupKey, AlertStatus status, string? id, DateTimeOffset? receivedAt) => new(
        id ?? Guid.NewGuid().ToString("N"),
        integration,
        dedupKey,
        "Checkout p99 latency above 2s",
        Severity.Critical,
        status,
        "checkout-api",
        "p99 latency has been above 2 s for 5 minutes.",
        new Dictionary<string, string> { ["service"] = "checkout" },
        [new AlertLink("https://grafana.example.com/d/checkout", "Dashboard")],
        null,
        receivedAt ?? DateTimeOffset.UtcNow);
}
