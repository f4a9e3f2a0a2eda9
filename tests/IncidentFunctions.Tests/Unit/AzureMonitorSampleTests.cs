using System.Text.Json;
using System.Text.RegularExpressions;
using IncidentFunctions.Ingestion;
using IncidentFunctions.Model;
using IncidentFunctions.Tests.Infrastructure;

namespace IncidentFunctions.Tests.Unit;

/// <summary>
/// Every payload type on Microsoft's "Sample alert payloads" page for the common alert schema, test actions included:
/// a genuine Azure payload is never refused (Azure shows the failure and, after retries, stops calling), and each
/// becomes one alert that a reader can recognise.
/// </summary>
public sealed partial class AzureMonitorSampleTests
{
    public static TheoryData<string, string, Severity, AlertStatus> Samples => new()
    {
        { "sample-alert-payload", "WCUS-R2-Gen2 on wcus-r2-gen2", Severity.Info, AlertStatus.Resolved },
        { "metric-static-threshold", "WCUS-R2-Gen2 on wcus-r2-gen2", Severity.Info, AlertStatus.Firing },
        { "metric-dynamic-threshold", "storage-egress-anomaly on pipelinestorage01", Severity.Info, AlertStatus.Firing },
        { "metric-availability-test", "myAvailabilityTest-myApplication on myapplication", Severity.High, AlertStatus.Firing },
        { "log-search-v1-log-analytics", "INC-Gen2Alert-cpu on inc-gen2alert-workspace", Severity.Warning, AlertStatus.Firing },
        { "log-search-v1-application-insights", "http-500-by-ip on myapplication", Severity.High, AlertStatus.Firing },
        { "log-search-v2", "contoso-heartbeat-missing on Contoso", Severity.High, AlertStatus.Firing },
        { "activity-log-administrative", "WCUS-R2-ActLog on wcus-r2-actlog", Severity.Info, AlertStatus.Firing },
        { "activity-log-policy", "policy-audit", Severity.Info, AlertStatus.Firing },
        { "activity-log-autoscale", "vmss-scaled-up on alexademo", Severity.Info, AlertStatus.Firing },
        { "activity-log-security", "defender-threat-detected on testvm", Severity.Info, AlertStatus.Firing },
        { "service-health", "Service Health: Azure Synapse Analytics Scheduled Maintenance Pending (Azure Synapse Analytics, East US)", Severity.Info, AlertStatus.Firing },
        { "resource-health", "Resource Health: This virtual machine is stopping and deallocating as requested by an authorized user or process (wcus-r2-gen2, Unavailable)", Severity.Info, AlertStatus.Firing },
        { "prometheus", "SqlDown on mycluster1", Severity.Warning, AlertStatus.Firing },
        { "test-action-activity-log", "test-activityLogAlertRule on test-VM", Severity.Info, AlertStatus.Firing },
        { "test-action-availability-test", "test-availabilityTest-test-applicationInsights on test-applicationInsights", Severity.Info, AlertStatus.Firing },
        { "test-action-budget", "Budget Test_forcasted_budget: forecasted cost above $50.00", Severity.Warning, AlertStatus.Firing },
        { "test-action-cost-budget", "Budget Test_actual_cost_budget: actual cost above $25.00", Severity.Warning, AlertStatus.Firing },
        { "test-action-forecasted-budget", "Budget Test_forcasted_budget: forecasted cost above $50.00", Severity.Warning, AlertStatus.Firing },
        { "test-action-log-v1-metric-measurement", "test-logAlertRule-v1-metricMeasurement on test-logAnalyticsWorkspace", Severity.Info, AlertStatus.Firing },
        { "test-action-log-v1-number-of-results", "test-logAlertRule-v1-numResults on test-logAnalyticsWorkspace", Severity.Info, AlertStatus.Firing },
        { "test-action-log-v2", "test-logAlertRule-v2 on test-logAnalyticsWorkspace", Severity.Info, AlertStatus.Firing },
        { "test-action-metric-dynamic-threshold", "test-dynamicMetricAlertRule on test-storageAccount", Severity.Info, AlertStatus.Firing },
        { "test-action-metric-static-threshold", "test-metricAlertRule on test-storageAccount", Severity.Info, AlertStatus.Firing },
        { "test-action-resource-health", "Resource Health: Rebooted by user (test-VM, Unavailable)", Severity.Info, AlertStatus.Firing },
        { "test-action-service-health", "Service Health: TestActionGroup-TestServiceHealthAlert (AzureServiceName, Global)", Severity.Info, AlertStatus.Resolved },
        { "test-action-smart-alert", "test-SmartAlertRule on test-applicationInsights", Severity.Info, AlertStatus.Firing },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void EverySampleIsOneAlertWithAReadableTitle(string sample, string title, Severity severity, AlertStatus status)
    {
        using var document = JsonDocument.Parse(AzureMonitorSamples.Read(sample));
        var (alerts, errors) = AzureMonitorFormat.Parse(document.RootElement, "azure", "batch1", DateTimeOffset.UnixEpoch);

        Assert.Empty(errors);
        var alert = Assert.Single(alerts);
        Assert.Equal(title, alert.Title);
        Assert.DoesNotMatch(SubscriptionOrGuid(), alert.Title);
        Assert.Equal(severity, alert.Severity);
        Assert.Equal(status, alert.Status);
        Assert.False(string.IsNullOrWhiteSpace(alert.DedupKey));
        Assert.InRange(alert.DedupKey.Length, 1, AlertLimits.MaxDedupKey);
    }

    [Fact]
    public void EverySampleFileIsInTheTable() =>
        Assert.Equal(AzureMonitorSamples.Names, Samples.Select(row => (string)row[0]).Order(StringComparer.Ordinal));

    /// <summary>An id a reader cannot recognise: a resource id, or a GUID standing alone or as the last word.</summary>
    [GeneratedRegex(@"/subscriptions/|(^|\s)[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    private static partial Regex SubscriptionOrGuid();
}
