using System.Text.Json;
using System.Text.Json.Nodes;
using IncidentFunctions.Ingestion;
using IncidentFunctions.Model;
using IncidentFunctions.Tests.Infrastructure;
using IncidentFunctions.Validation;

namespace IncidentFunctions.Tests.Unit;

public sealed class AzureMonitorFormatTests
{
    const string Integration = "azure";
    const string BatchId = "batch7";
    static readonly DateTimeOffset ReceivedAt = new(2026, 11, 26, 3, 0, 5, TimeSpan.Zero);

    const string MetricAlertId = "/subscriptions/0b6f3c1e-7d42-4a59-9e1f-2c8d5a7b3e90/providers/Microsoft.AlertsManagement/alerts/5e2a9c71-3f04-4b8d-a6e2-91c7d0f4b358";
    const string MetricOriginAlertId = "0b6f3c1e-7d42-4a59-9e1f-2c8d5a7b3e90_rg-shop-prod_microsoft.insights_metricAlerts_vm-cpu-high_-412398127";

    // Written from the documented common alert schema: a metric alert rule on one VM, first fired, then resolved.
    const string MetricAlertFired = """
        {
          "schemaId": "azureMonitorCommonAlertSchema",
          "data": {
            "essentials": {
              "alertId": "/subscriptions/0b6f3c1e-7d42-4a59-9e1f-2c8d5a7b3e90/providers/Microsoft.AlertsManagement/alerts/5e2a9c71-3f04-4b8d-a6e2-91c7d0f4b358",
              "alertRule": "vm-cpu-high",
              "severity": "Sev2",
              "signalType": "Metric",
              "monitorCondition": "Fired",
              "monitoringService": "Platform",
              "alertTargetIDs": [
                "/subscriptions/0b6f3c1e-7d42-4a59-9e1f-2c8d5a7b3e90/resourcegroups/rg-shop-prod/providers/microsoft.compute/virtualmachines/vm-01"
              ],
              "configurationItems": [ "vm-01" ],
              "originAlertId": "0b6f3c1e-7d42-4a59-9e1f-2c8d5a7b3e90_rg-shop-prod_microsoft.insights_metricAlerts_vm-cpu-high_-412398127",
              "firedDateTime": "2026-11-26T02:58:41.2750124Z",
              "description": "Average CPU above 90% for 5 minutes",
              "essentialsVersion": "1.0",
              "alertContextVersion": "1.0"
            },
            "alertContext": {
              "properties": null,
              "conditionType": "SingleResourceMultipleMetricCriteria",
              "condition": {
                "windowSize": "PT5M",
                "allOf": [
                  {
                    "metricName": "Percentage CPU",
                    "metricNamespace": "Microsoft.Compute/virtualMachines",
                    "operator": "GreaterThan",
                    "threshold": "90",
                    "timeAggregation": "Average",
                    "dimensions": [],
                    "metricValue": 96.4,
                    "webTestName": null
                  }
                ],
                "windowStartTime": "2026-11-26T02:52:30.000Z",
                "windowEndTime": "2026-11-26T02:57:30.000Z"
              }
            },
            "customProperties": null
          }
        }
        """;

    const string MetricAlertResolved = """
        {
          "schemaId": "azureMonitorCommonAlertSchema",
          "data": {
            "essentials": {
              "alertId": "/subscriptions/0b6f3c1e-7d42-4a59-9e1f-2c8d5a7b3e90/providers/Microsoft.AlertsManagement/alerts/5e2a9c71-3f04-4b8d-a6e2-91c7d0f4b358",
              "alertRule": "vm-cpu-high",
              "severity": "Sev2",
              "signalType": "Metric",
              "monitorCondition": "Resolved",
              "monitoringService": "Platform",
              "alertTargetIDs": [
                "/subscriptions/0b6f3c1e-7d42-4a59-9e1f-2c8d5a7b3e90/resourcegroups/rg-shop-prod/providers/microsoft.compute/virtualmachines/vm-01"
              ],
              "configurationItems": [ "vm-01" ],
              "originAlertId": "0b6f3c1e-7d42-4a59-9e1f-2c8d5a7b3e90_rg-shop-prod_microsoft.insights_metricAlerts_vm-cpu-high_-412398127",
              "firedDateTime": "2026-11-26T02:58:41.2750124Z",
              "resolvedDateTime": "2026-11-26T03:14:02.9903316Z",
              "description": "Average CPU above 90% for 5 minutes",
              "essentialsVersion": "1.0",
              "alertContextVersion": "1.0"
            },
            "alertContext": {
              "properties": null,
              "conditionType": "SingleResourceMultipleMetricCriteria",
              "condition": {
                "windowSize": "PT5M",
                "allOf": [
                  {
                    "metricName": "Percentage CPU",
                    "metricNamespace": "Microsoft.Compute/virtualMachines",
                    "operator": "GreaterThan",
                    "threshold": "90",
                    "timeAggregation": "Average",
                    "dimensions": [],
                    "metricValue": 41.7,
                    "webTestName": null
                  }
                ],
                "windowStartTime": "2026-11-26T03:07:30.000Z",
                "windowEndTime": "2026-11-26T03:12:30.000Z"
              }
            },
            "customProperties": null
          }
        }
        """;

    // A log search alert (scheduled query rule) on a workspace, with custom properties set on the action group.
    const string LogSearchAlert = """
        {
          "schemaId": "azureMonitorCommonAlertSchema",
          "data": {
            "essentials": {
              "alertId": "/subscriptions/0b6f3c1e-7d42-4a59-9e1f-2c8d5a7b3e90/providers/Microsoft.AlertsManagement/alerts/c81d4e2f-6a0b-4f37-8e95-d2a4b6c8e013",
              "alertRule": "checkout-5xx-rate",
              "severity": "Sev1",
              "signalType": "Log",
              "monitorCondition": "Fired",
              "monitoringService": "Log Alerts V2",
              "alertTargetIDs": [
                "/subscriptions/0b6f3c1e-7d42-4a59-9e1f-2c8d5a7b3e90/resourcegroups/rg-observability/providers/microsoft.operationalinsights/workspaces/law-shop-prod"
              ],
              "configurationItems": [ "app-checkout", "app-gateway" ],
              "originAlertId": "7a3c5e91-0d2b-4f68-b1e4-93c6a8d0f2b7",
              "firedDateTime": "2026-11-26T02:40:12.0915529Z",
              "description": "5xx responses from checkout above 2% of requests",
              "essentialsVersion": "1.0",
              "alertContextVersion": "1.0",
              "investigationLink": "https://portal.azure.com/#view/Microsoft_Azure_Monitoring_Alerts/Investigation.ReactView/alertId/%2fsubscriptions%2f0b6f3c1e-7d42-4a59-9e1f-2c8d5a7b3e90%2fproviders%2fMicrosoft.AlertsManagement%2falerts%2fc81d4e2f-6a0b-4f37-8e95-d2a4b6c8e013"
            },
            "alertContext": {
              "properties": { "team": "payments" },
              "conditionType": "LogQueryCriteria",
              "condition": {
                "windowSize": "PT10M",
                "allOf": [
                  {
                    "searchQuery": "AppRequests | where AppRoleName == 'checkout' | summarize errors = countif(ResultCode startswith '5') * 100.0 / count()",
                    "metricMeasureColumn": "errors",
                    "targetResourceTypes": "['Microsoft.OperationalInsights/workspaces']",
                    "operator": "GreaterThan",
                    "threshold": "2",
                    "timeAggregation": "Average",
                    "dimensions": [ { "name": "AppRoleName", "value": "checkout" } ],
                    "metricValue": 3.8,
                    "failingPeriods": { "numberOfEvaluationPeriods": 1, "minFailingPeriodsToAlert": 1 },
                    "linkToSearchResultsUI": "https://portal.azure.com#@contoso.onmicrosoft.com/blade/Microsoft_Azure_Monitoring_Logs/LogsBlade/source/Alerts.EmailLinks/scope/x",
                    "linkToFilteredSearchResultsUI": "https://portal.azure.com#@contoso.onmicrosoft.com/blade/Microsoft_Azure_Monitoring_Logs/LogsBlade/source/Alerts.EmailLinks/scope/y"
                  }
                ],
                "windowStartTime": "2026-11-26T02:30:00Z",
                "windowEndTime": "2026-11-26T02:40:00Z"
              }
            },
            "customProperties": {
              "team": "payments",
              "runbook": "https://wiki.example.com/runbooks/checkout-5xx",
              "retries": 3,
              "owners": [ "ana", "li" ]
            }
          }
        }
        """;

    // An activity log alert: stateless, so it only ever fires; the documented samples carry Sev4.
    const string ActivityLogAlert = """
        {
          "schemaId": "azureMonitorCommonAlertSchema",
          "data": {
            "essentials": {
              "alertId": "/subscriptions/0b6f3c1e-7d42-4a59-9e1f-2c8d5a7b3e90/providers/Microsoft.AlertsManagement/alerts/1f9b7d35-c2e8-4a06-9d51-6b3e8f0a2c74",
              "alertRule": "storage-account-deleted",
              "severity": "Sev4",
              "signalType": "Activity Log",
              "monitorCondition": "Fired",
              "monitoringService": "Activity Log - Administrative",
              "alertTargetIDs": [
                "/subscriptions/0b6f3c1e-7d42-4a59-9e1f-2c8d5a7b3e90/resourcegroups/rg-shop-prod/providers/microsoft.storage/storageaccounts/stshopprod01"
              ],
              "configurationItems": [ "stshopprod01" ],
              "originAlertId": "e04c7b29-5d18-4f3a-a6c2-8b9d1e0f3a57_123456789012345678901234567890ab",
              "firedDateTime": "2026-11-26T01:15:09.8812044Z",
              "description": "",
              "essentialsVersion": "1.0",
              "alertContextVersion": "1.0"
            },
            "alertContext": {
              "authorization": {
                "action": "Microsoft.Storage/storageAccounts/delete",
                "scope": "/subscriptions/0b6f3c1e-7d42-4a59-9e1f-2c8d5a7b3e90/resourcegroups/rg-shop-prod/providers/microsoft.storage/storageaccounts/stshopprod01"
              },
              "channels": "Operation",
              "caller": "ops-automation@contoso.com",
              "correlationId": "9d2f6a18-4b7c-4e05-8a3d-c1f0e7b92d64",
              "eventSource": "Administrative",
              "eventTimestamp": "2026-11-26T01:14:58.3401166+00:00",
              "eventDataId": "3b8e1c0d-7f25-4a94-b6d2-0e9c5a7f1b38",
              "level": "Informational",
              "operationName": "Microsoft.Storage/storageAccounts/delete",
              "operationId": "6c0a9e47-2b1d-4f83-9e56-a7d3c2b0f814",
              "status": "Succeeded",
              "subStatus": "",
              "submissionTimestamp": "2026-11-26T01:15:05.1720936+00:00"
            },
            "customProperties": null
          }
        }
        """;

    static (IReadOnlyList<Alert> Alerts, IReadOnlyList<FieldError> Errors) Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return AzureMonitorFormat.Parse(document.RootElement, Integration, BatchId, ReceivedAt);
    }

    static Alert Accepted(string json)
    {
        var (alerts, errors) = Parse(json);
        Assert.Empty(errors);
        return Assert.Single(alerts);
    }

    static string MetricAlertWith(string path, string? json) => MetricAlertWith((path, json));

    /// <summary>The fired metric alert with fields set (to a JSON value) or removed (null) at dotted paths.</summary>
    static string MetricAlertWith(params (string Path, string? Json)[] edits) => AzureMonitorSamples.Edit(MetricAlertFired, edits);

    [Fact]
    public void FiredAndResolvedNotificationsOfOneAlertShareTheDedupKey()
    {
        var fired = Accepted(MetricAlertFired);
        var resolved = Accepted(MetricAlertResolved);

        Assert.Equal(AlertStatus.Firing, fired.Status);
        Assert.Equal(AlertStatus.Resolved, resolved.Status);
        Assert.Equal(MetricOriginAlertId, fired.DedupKey);
        Assert.Equal(fired.DedupKey, resolved.DedupKey);
    }

    [Fact]
    public void MetricAlertMapsEssentials()
    {
        var alert = Accepted(MetricAlertFired);

        Assert.Equal($"{BatchId}-0", alert.Id);
        Assert.Equal(Integration, alert.Integration);
        Assert.Equal("vm-cpu-high on vm-01", alert.Title);
        Assert.Equal(Severity.Warning, alert.Severity);
        Assert.Equal("Platform", alert.Source);
        Assert.Equal("Average CPU above 90% for 5 minutes", alert.Description);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 2, 58, 41, TimeSpan.Zero).AddTicks(2750124), alert.OccurredAt);
        Assert.Equal(ReceivedAt, alert.ReceivedAt);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["signalType"] = "Metric",
                ["monitoringService"] = "Platform",
                ["alertRule"] = "vm-cpu-high",
                ["severity"] = "Sev2",
                ["alertTargetIDs"] = "/subscriptions/0b6f3c1e-7d42-4a59-9e1f-2c8d5a7b3e90/resourcegroups/rg-shop-prod/providers/microsoft.compute/virtualmachines/vm-01",
                ["configurationItems"] = "vm-01",
            },
            alert.Labels);
    }

    [Theory]
    [InlineData("Sev0", Severity.Critical)]
    [InlineData("Sev1", Severity.High)]
    [InlineData("Sev2", Severity.Warning)]
    [InlineData("Sev3", Severity.Info)]
    [InlineData("Sev4", Severity.Info)]
    public void SeverityFollowsTheSevTable(string azureSeverity, Severity expected)
    {
        var alert = Accepted(MetricAlertWith("data.essentials.severity", $"\"{azureSeverity}\""));

        Assert.Equal(expected, alert.Severity);
        Assert.Equal(azureSeverity, alert.Labels["severity"]);
    }

    [Fact]
    public void TitleIsTheRuleAloneWhenThereIsNoTarget()
    {
        var alert = Accepted(MetricAlertWith("data.essentials.alertTargetIDs", "[]"));

        Assert.Equal("vm-cpu-high", alert.Title);
        Assert.False(alert.Labels.ContainsKey("alertTargetIDs"));
    }

    [Fact]
    public void TitleNamesOnlyTheFirstTargetWhileTheLabelListsThemAll()
    {
        var alert = Accepted(MetricAlertWith(
            "data.essentials.alertTargetIDs",
            """["/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-01", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-02"]"""));

        Assert.Equal("vm-cpu-high on vm-01", alert.Title);
        Assert.Equal(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-01,/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-02",
            alert.Labels["alertTargetIDs"]);
    }

    [Fact]
    public void LogSearchAlertCarriesStringCustomPropertiesAsLabels()
    {
        var alert = Accepted(LogSearchAlert);

        Assert.Equal("checkout-5xx-rate on law-shop-prod", alert.Title);
        Assert.Equal(Severity.High, alert.Severity);
        Assert.Equal("Log Alerts V2", alert.Source);
        Assert.Equal("7a3c5e91-0d2b-4f68-b1e4-93c6a8d0f2b7", alert.DedupKey);
        Assert.Equal("app-checkout,app-gateway", alert.Labels["configurationItems"]);
        Assert.Equal("payments", alert.Labels["custom.team"]);
        Assert.Equal("https://wiki.example.com/runbooks/checkout-5xx", alert.Labels["custom.runbook"]);
        Assert.False(alert.Labels.ContainsKey("custom.retries"));
        Assert.False(alert.Labels.ContainsKey("custom.owners"));
    }

    [Fact]
    public void ActivityLogAlertMapsWithDefaultsForWhatItLeavesEmpty()
    {
        var alert = Accepted(ActivityLogAlert);

        Assert.Equal("storage-account-deleted on stshopprod01", alert.Title);
        Assert.Equal(Severity.Info, alert.Severity);
        Assert.Equal(AlertStatus.Firing, alert.Status);
        Assert.Equal("Activity Log - Administrative", alert.Source);
        Assert.Null(alert.Description);
        Assert.Equal("Activity Log", alert.Labels["signalType"]);
    }

    [Fact]
    public void BudgetAlertIsTitledByItsBudgetWithTheDefaultSeverityAndKeyedByItsAlertId()
    {
        // Cost Management sends alertRule, severity, signalType, alertTargetIDs and originAlertId as null.
        var alert = Accepted(AzureMonitorSamples.Read("test-action-cost-budget"));

        Assert.Equal("Budget Test_actual_cost_budget: actual cost above $25.00", alert.Title);
        Assert.Equal(Severity.Warning, alert.Severity);
        Assert.Equal(AlertStatus.Firing, alert.Status);
        Assert.Equal("/subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/providers/Microsoft.CostManagement/alerts/Test_Alert", alert.DedupKey);
        Assert.Equal("CostAlerts", alert.Source);
        Assert.Equal("YourspendforbudgetTest_actual_cost_budgetisnow$11,111.00exceedingyourspecifiedthreshold$25.00.", alert.Description);
        Assert.Equal("budgets", alert.Labels["AlertCategory"]);
        Assert.Equal("Test_actual_cost_budget", alert.Labels["BudgetName"]);
        Assert.Equal("$11,111.00", alert.Labels["SpentAmount"]);
        Assert.Equal("budgets", alert.Labels["configurationItems"]);
        Assert.False(alert.Labels.ContainsKey("alertRule"));
        Assert.False(alert.Labels.ContainsKey("severity"));
    }

    [Fact]
    public void CostAlertWithoutABudgetIsTitledByItsDescription()
    {
        var alert = Accepted(AzureMonitorSamples.With("test-action-budget", ("data.alertContext.AlertData", null)));

        Assert.Equal("Delivery Confirmation: This is a sample budget alert from Azure Monitor Action Groups.", alert.Title);
    }

    [Fact]
    public void EssentialsThatAzureLeavesNullAreAbsentNotWrong()
    {
        var alert = Accepted(MetricAlertWith(
            ("data.essentials.alertRule", "null"),
            ("data.essentials.severity", "null"),
            ("data.essentials.signalType", "null"),
            ("data.essentials.alertTargetIDs", "null"),
            ("data.essentials.configurationItems", "null"),
            ("data.essentials.originAlertId", "null")));

        Assert.Equal("Average CPU above 90% for 5 minutes", alert.Title);
        Assert.Equal(Severity.Warning, alert.Severity);
        Assert.Equal(MetricAlertId, alert.DedupKey);
        Assert.Equal(["monitoringService"], alert.Labels.Keys);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("null")]
    [InlineData("\"\"")]
    public void AlertWithoutSeverityIsAWarning(string? severity)
    {
        var alert = Accepted(MetricAlertWith("data.essentials.severity", severity));

        Assert.Equal(Severity.Warning, alert.Severity);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("null")]
    [InlineData("\" \"")]
    public void AlertWithoutRuleIsTitledByItsDescription(string? rule)
    {
        var alert = Accepted(MetricAlertWith("data.essentials.alertRule", rule));

        Assert.Equal("Average CPU above 90% for 5 minutes", alert.Title);
    }

    [Fact]
    public void AlertWithoutRuleOrDescriptionIsTitledByItsMonitoringService()
    {
        var alert = Accepted(MetricAlertWith(("data.essentials.alertRule", null), ("data.essentials.description", "null")));

        Assert.Equal("Platform alert", alert.Title);
    }

    [Fact]
    public void TitleTakesOnlyTheFirstLineOfAMultiLineDescription()
    {
        var alert = Accepted(MetricAlertWith(("data.essentials.alertRule", null), ("data.essentials.description", "\"\\nCPU high\\r\\nsecond line\"")));

        Assert.Equal("CPU high", alert.Title);
        Assert.Equal("\nCPU high\r\nsecond line", alert.Description);
    }

    [Fact]
    public void TitleLeavesOutATargetThatIsOnlyASubscription()
    {
        var alert = Accepted(MetricAlertWith("data.essentials.alertTargetIDs", """["/subscriptions/0b6f3c1e-7d42-4a59-9e1f-2c8d5a7b3e90/"]"""));

        Assert.Equal("vm-cpu-high", alert.Title);
        Assert.Equal("/subscriptions/0b6f3c1e-7d42-4a59-9e1f-2c8d5a7b3e90/", alert.Labels["alertTargetIDs"]);
    }

    [Theory]
    [InlineData("data.alertContext", "42")]
    [InlineData("data.alertContext", "\"budgets\"")]
    [InlineData("data.alertContext", "[]")]
    [InlineData("data.alertContext.AlertData", "[{\"BudgetName\":\"b\"}]")]
    [InlineData("data.alertContext.AlertData.BudgetName", "42")]
    [InlineData("data.alertContext.AlertData.BudgetName", "\" \"")]
    public void AlertContextOfAnUnexpectedShapeIsIgnoredNotRefused(string path, string json)
    {
        // data.alertContext only informs, and its shape varies between alert types and between Azure's own samples.
        var alert = Accepted(AzureMonitorSamples.With("test-action-budget", (path, json)));

        Assert.Equal("Delivery Confirmation: This is a sample budget alert from Azure Monitor Action Groups.", alert.Title);
    }

    /// <summary>
    /// A Service Health event as Azure sends it for each communication of one issue: an activity log alert, so always
    /// "Fired", with an alertId, originAlertId and eventDataId of its own; only the tracking id is shared.
    /// </summary>
    static string ServiceHealthEvent(string stage, string eventId, string trackingId = "VT8K-9Z8") => AzureMonitorSamples.With(
        "service-health",
        ("data.essentials.alertId", $"\"/subscriptions/<GUID>/providers/Microsoft.AlertsManagement/alerts/{eventId}\""),
        ("data.essentials.originAlertId", $"\"{eventId}_123456789012345678901234567890ab\""),
        ("data.alertContext.eventDataId", $"\"{eventId}\""),
        ("data.alertContext.operationName", "\"Microsoft.ServiceHealth/incident/action\""),
        ("data.alertContext.properties.incidentType", "\"Incident\""),
        ("data.alertContext.properties.trackingId", $"\"{trackingId}\""),
        ("data.alertContext.properties.stage", $"\"{stage}\""));

    [Fact]
    public void ServiceHealthEventIsTitledByItsOwnTitleServiceAndRegion()
    {
        var alert = Accepted(AzureMonitorSamples.Read("service-health"));

        Assert.Equal("Service Health: Azure Synapse Analytics Scheduled Maintenance Pending (Azure Synapse Analytics, East US)", alert.Title);
        Assert.Equal("<MESSAGE>", alert.Description);
        Assert.Equal(AlertStatus.Firing, alert.Status);
        Assert.Equal("Maintenance", alert.Labels["incidentType"]);
        Assert.Equal("Planned", alert.Labels["stage"]);
        Assert.Equal("Azure Synapse Analytics", alert.Labels["service"]);
        Assert.Equal("East US", alert.Labels["region"]);
        Assert.Equal("<GUID>", alert.Labels["trackingId"]);
        Assert.Equal("Azure Synapse Analytics (East US)", alert.Labels["impactedServices"]);
        Assert.Equal("service-health-maintenance", alert.Labels["alertRule"]);
    }

    [Fact]
    public void ServiceHealthCommunicationIsTheDescriptionWithItsHtmlKeptAsText()
    {
        var alert = Accepted(AzureMonitorSamples.Read("test-action-service-health"));

        Assert.Equal("Service Health: TestActionGroup-TestServiceHealthAlert (AzureServiceName, Global)", alert.Title);
        Assert.Equal("<p>ThisisatestfromServiceHealthAlert</p>\n\nAlertruledescription", alert.Description);
        Assert.Equal("AzureServiceName (Global)", alert.Labels["impactedServices"]);
    }

    [Fact]
    public void ImpactedServicesListEveryServiceWithItsRegions()
    {
        var alert = Accepted(AzureMonitorSamples.With(
            "service-health",
            ("data.alertContext.properties.impactedServices", JsonSerializer.Serialize("""[{"ImpactedRegions":[{"RegionName":"East US"},{"RegionName":"West Europe"}],"ServiceName":"Virtual Machines"},{"ImpactedRegions":[],"ServiceName":"Key Vault"}]"""))));

        Assert.Equal("Virtual Machines (East US, West Europe); Key Vault", alert.Labels["impactedServices"]);
    }

    [Fact]
    public void TheResolvedCommunicationOfAServiceHealthIssueResolvesTheIncidentItsActiveOneOpened()
    {
        var active = Accepted(ServiceHealthEvent("Active", "1b7e3c4a-0f5d-4e21-9a8b-6c2d4e1f3a50"));
        var update = Accepted(ServiceHealthEvent("Active", "5c2f8e1d-3a6b-4c09-b7d4-0e9a1f2b3c64"));
        var resolved = Accepted(ServiceHealthEvent("Resolved", "9e4a1d7c-2b8f-4a35-8c61-d3f0b5e7a912"));
        var otherIssue = Accepted(ServiceHealthEvent("Active", "7f1c9b3e-4d2a-4e68-a5c0-b8e6d2f4a173", trackingId: "2TWN-VT0"));

        Assert.Equal(AlertStatus.Firing, active.Status);
        Assert.Equal(AlertStatus.Firing, update.Status);
        Assert.Equal(AlertStatus.Resolved, resolved.Status);
        Assert.Equal(active.DedupKey, update.DedupKey);
        Assert.Equal(active.DedupKey, resolved.DedupKey);
        Assert.NotEqual(active.DedupKey, otherIssue.DedupKey);
        Assert.Contains("VT8K-9Z8", active.DedupKey, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Active", AlertStatus.Firing)]
    [InlineData("Planned", AlertStatus.Firing)]
    [InlineData("InProgress", AlertStatus.Firing)]
    [InlineData("Rescheduled", AlertStatus.Firing)]
    [InlineData("Resolved", AlertStatus.Resolved)]
    [InlineData("Complete", AlertStatus.Resolved)]
    [InlineData("Canceled", AlertStatus.Resolved)]
    [InlineData("RCA", AlertStatus.Resolved)]
    public void ServiceHealthStageSaysWhetherTheIssueIsOver(string stage, AlertStatus expected)
    {
        var alert = Accepted(ServiceHealthEvent(stage, "1b7e3c4a-0f5d-4e21-9a8b-6c2d4e1f3a50"));

        Assert.Equal(expected, alert.Status);
    }

    [Fact]
    public void ServiceHealthEventResolvedByItsConditionIsResolvedWhateverItsStage()
    {
        var alert = Accepted(AzureMonitorSamples.With("service-health", ("data.essentials.monitorCondition", "\"Resolved\"")));

        Assert.Equal(AlertStatus.Resolved, alert.Status);
    }

    [Fact]
    public void ServiceHealthEventWithoutATrackingIdKeepsItsOwnKey()
    {
        var alert = Accepted(AzureMonitorSamples.With("service-health", ("data.alertContext.properties.trackingId", "null")));

        Assert.Equal("<GUID>_123456789012345678901234567890ab", alert.DedupKey);
    }

    [Fact]
    public void TrackingIdTooLongForAKeyIsHashedIntoOne()
    {
        var first = Accepted(AzureMonitorSamples.With("service-health", ("data.alertContext.properties.trackingId", JsonSerializer.Serialize(new string('t', 300)))));
        var second = Accepted(AzureMonitorSamples.With("service-health", ("data.alertContext.properties.trackingId", JsonSerializer.Serialize(new string('t', 300)))));

        Assert.InRange(first.DedupKey.Length, 1, AlertLimits.MaxDedupKey);
        Assert.Equal(first.DedupKey, second.DedupKey);
        Assert.Equal(AlertLimits.MaxLabelValue, first.Labels["trackingId"].Length);
    }

    [Fact]
    public void LongCommunicationIsTruncatedNotRefused()
    {
        var communication = "<p>" + string.Concat(Enumerable.Repeat("Engineers are investigating. ", 2000)) + "</p>";
        var alert = Accepted(AzureMonitorSamples.With("service-health", ("data.alertContext.properties.communication", JsonSerializer.Serialize(communication))));

        Assert.Equal(AlertLimits.MaxDescription, alert.Description!.Length);
        Assert.StartsWith("<p>Engineers are investigating.", alert.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void ResourceHealthEventIsTitledByItsTitleResourceAndHealth()
    {
        var alert = Accepted(AzureMonitorSamples.Read("test-action-resource-health"));

        Assert.Equal("Resource Health: Rebooted by user (test-VM, Unavailable)", alert.Title);
        Assert.Equal("Alert rule description", alert.Description);
        Assert.Equal(AlertStatus.Firing, alert.Status);
        Assert.Equal("Unavailable", alert.Labels["currentHealthStatus"]);
        Assert.Equal("Available", alert.Labels["previousHealthStatus"]);
        Assert.Equal("UserInitiated", alert.Labels["cause"]);
        Assert.Equal("Downtime", alert.Labels["type"]);
    }

    [Fact]
    public void ResourceHealthDetailsComeFirstInTheDescription()
    {
        var alert = Accepted(AzureMonitorSamples.With(
            "test-action-resource-health", ("data.alertContext.properties.details", "\"Virtual machine has experienced an unexpected event\"")));

        Assert.Equal("Virtual machine has experienced an unexpected event\n\nAlert rule description", alert.Description);
    }

    [Fact]
    public void ResourceHealthRecoveryResolvesTheIncidentOfTheOutage()
    {
        var outage = Accepted(AzureMonitorSamples.Read("test-action-resource-health"));
        var recovery = Accepted(AzureMonitorSamples.With(
            "test-action-resource-health",
            ("data.essentials.alertId", "\"/subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/providers/Microsoft.AlertsManagement/alerts/3c9d2e7f-8a1b-4d56-b0e3-f7a2c5d8e914\""),
            ("data.essentials.originAlertId", "\"4e8b1f6a-2c7d-4a93-9b05-c1d7e3f9a268_123456789012345678901234567890ab\""),
            ("data.essentials.alertTargetIDs", """["/subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourceGroups/test-RG/providers/Microsoft.Compute/virtualMachines/test-VM"]"""),
            ("data.alertContext.operationName", "\"Microsoft.Resourcehealth/healthevent/Resolved/action\""),
            ("data.alertContext.status", "\"Resolved\""),
            ("data.alertContext.properties.title", "\"Available\""),
            ("data.alertContext.properties.currentHealthStatus", "\"Available\""),
            ("data.alertContext.properties.previousHealthStatus", "\"Unavailable\"")));
        var otherResource = Accepted(AzureMonitorSamples.With(
            "test-action-resource-health",
            ("data.essentials.alertTargetIDs", """["/subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourcegroups/test-RG/providers/microsoft.compute/virtualmachines/test-VM2"]""")));

        Assert.Equal(AlertStatus.Firing, outage.Status);
        Assert.Equal(AlertStatus.Resolved, recovery.Status);
        Assert.Equal(outage.DedupKey, recovery.DedupKey);
        Assert.NotEqual(outage.DedupKey, otherResource.DedupKey);
    }

    [Theory]
    [InlineData("service-health", "data.alertContext.properties", "42")]
    [InlineData("service-health", "data.alertContext.properties", "null")]
    [InlineData("service-health", "data.alertContext.properties.title", "{}")]
    [InlineData("service-health", "data.alertContext.properties.stage", "3")]
    [InlineData("service-health", "data.alertContext.properties.trackingId", "[]")]
    [InlineData("service-health", "data.alertContext.properties.impactedServices", "\"not [json\"")]
    [InlineData("service-health", "data.alertContext.properties.impactedServices", "42")]
    [InlineData("service-health", "data.alertContext.properties.impactedServices", "[42, {\"ServiceName\": 1, \"ImpactedRegions\": {}}]")]
    [InlineData("test-action-service-health", "data.alertContext", "\"ServiceHealth\"")]
    [InlineData("test-action-resource-health", "data.alertContext.properties", "[]")]
    [InlineData("test-action-resource-health", "data.alertContext.properties.currentHealthStatus", "false")]
    [InlineData("test-action-resource-health", "data.alertContext.status", "{}")]
    public void HealthContextOfAnUnexpectedShapeIsPassedOverNotRefused(string sample, string path, string json)
    {
        var (alerts, errors) = Parse(AzureMonitorSamples.With(sample, (path, json)));

        Assert.Empty(errors);
        Assert.False(string.IsNullOrWhiteSpace(Assert.Single(alerts).Title));
    }

    [Fact]
    public void PortalLinkCarriesTheEncodedAlertId()
    {
        var alert = Accepted(MetricAlertFired);

        var link = Assert.Single(alert.Links);
        Assert.Equal("Azure portal", link.Text);
        Assert.Equal(
            "https://portal.azure.com/#view/Microsoft_Azure_Monitoring_Alerts/AlertDetails.ReactView/alertId/"
                + "%2Fsubscriptions%2F0b6f3c1e-7d42-4a59-9e1f-2c8d5a7b3e90%2Fproviders%2FMicrosoft.AlertsManagement%2Falerts%2F5e2a9c71-3f04-4b8d-a6e2-91c7d0f4b358",
            link.Href);
    }

    [Fact]
    public void InvestigationLinkComesBeforeThePortalLink()
    {
        var alert = Accepted(LogSearchAlert);

        Assert.Equal(2, alert.Links.Count);
        Assert.StartsWith("https://portal.azure.com/#view/Microsoft_Azure_Monitoring_Alerts/Investigation.ReactView/", alert.Links[0].Href);
        Assert.Equal("Azure portal", alert.Links[1].Text);
    }

    [Theory]
    [InlineData("\"http://portal.azure.com/investigate\"")]
    [InlineData("\"/relative/investigate\"")]
    [InlineData("\"javascript:alert(1)\"")]
    public void InvestigationLinkThatIsNotAbsoluteHttpsIsLeftOut(string link)
    {
        var alert = Accepted(MetricAlertWith("data.essentials.investigationLink", link));

        Assert.Equal("Azure portal", Assert.Single(alert.Links).Text);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("\"\"")]
    [InlineData("null")]
    public void DedupKeyFallsBackToAlertIdWithoutOriginAlertId(string? originAlertId)
    {
        var alert = Accepted(MetricAlertWith("data.essentials.originAlertId", originAlertId));

        Assert.Equal(MetricAlertId, alert.DedupKey);
    }

    [Fact]
    public void HugeDescriptionIsTruncatedNotRefused()
    {
        var alert = Accepted(MetricAlertWith("data.essentials.description", JsonSerializer.Serialize(new string('x', 100_000))));

        Assert.Equal(AlertLimits.MaxDescription, alert.Description!.Length);
        Assert.EndsWith("x…", alert.Description);
    }

    [Fact]
    public void LongRuleNameAndTargetsAreTruncatedNotRefused()
    {
        var targets = Enumerable.Range(0, 50).Select(i => $"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-{i:00}");
        var alert = Accepted(MetricAlertWith(
            ("data.essentials.alertRule", JsonSerializer.Serialize(new string('r', 2000))),
            ("data.essentials.alertTargetIDs", JsonSerializer.Serialize(targets))));

        Assert.Equal(AlertLimits.MaxTitle, alert.Title.Length);
        Assert.Equal(AlertLimits.MaxLabelValue, alert.Labels["alertRule"].Length);
        Assert.Equal(AlertLimits.MaxLabelValue, alert.Labels["alertTargetIDs"].Length);
    }

    [Fact]
    public void TruncationNeverSplitsASurrogatePair()
    {
        // Every emoji is two UTF-16 units and the limit is even, so keeping limit - 1 units for the "…" would end on
        // the first half of a pair.
        var description = string.Concat(Enumerable.Repeat("😀", AlertLimits.MaxDescription));
        var alert = Accepted(MetricAlertWith("data.essentials.description", JsonSerializer.Serialize(description)));

        Assert.True(alert.Description!.Length <= AlertLimits.MaxDescription);
        Assert.False(char.IsHighSurrogate(alert.Description[^2]));
        Assert.EndsWith("😀…", alert.Description);
    }

    [Fact]
    public void CustomPropertiesBeyondTheLabelLimitAreDroppedInKeyOrder()
    {
        // Written in reverse so that keeping the first ones by key order cannot pass by keeping them in document order.
        var properties = new JsonObject();
        foreach (var i in Enumerable.Range(0, 100).Reverse())
        {
            properties[$"p{i:000}"] = $"value {i}";
        }

        var alert = Accepted(MetricAlertWith("data.customProperties", properties.ToJsonString()));

        Assert.Equal(AlertLimits.MaxLabels, alert.Labels.Count);
        var kept = alert.Labels.Keys.Where(k => k.StartsWith(AzureMonitorFormat.CustomLabelPrefix, StringComparison.Ordinal)).ToList();
        Assert.Equal(Enumerable.Range(0, kept.Count).Select(i => $"custom.p{i:000}"), kept);
        Assert.Equal("value 0", alert.Labels["custom.p000"]);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"azureMonitorCommonAlertSchema\"")]
    [InlineData("42")]
    [InlineData("null")]
    public void BodyThatIsNotAnObjectIsRefused(string json)
    {
        var (alerts, errors) = Parse(json);

        Assert.Empty(alerts);
        Assert.Equal("body", Assert.Single(errors).Field);
    }

    [Theory]
    [InlineData("\"AzureMonitorMetricAlert\"")]
    [InlineData("\"Microsoft.Insights/activityLogs\"")]
    [InlineData("\"Microsoft.Insights/LogAlert\"")]
    [InlineData("\"azuremonitorcommonalertschema\"")]
    [InlineData("1")]
    [InlineData(null)]
    public void AnythingButTheCommonSchemaIsRefusedWithTheFix(string? schemaId)
    {
        var (alerts, errors) = Parse(MetricAlertWith("schemaId", schemaId));

        Assert.Empty(alerts);
        var error = Assert.Single(errors);
        Assert.Equal("schemaId", error.Field);
        Assert.Contains("enable the common alert schema on the action group", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("data", null, "data")]
    [InlineData("data", "\"fired\"", "data")]
    [InlineData("data.essentials", null, "data.essentials")]
    [InlineData("data.essentials", "[]", "data.essentials")]
    [InlineData("data.essentials.severity", "\"Sev9\"", "data.essentials.severity")]
    [InlineData("data.essentials.severity", "\"sev2\"", "data.essentials.severity")]
    [InlineData("data.essentials.severity", "2", "data.essentials.severity")]
    [InlineData("data.essentials.monitorCondition", "\"Unknown\"", "data.essentials.monitorCondition")]
    [InlineData("data.essentials.monitorCondition", null, "data.essentials.monitorCondition")]
    [InlineData("data.essentials.alertId", null, "data.essentials.alertId")]
    [InlineData("data.essentials.alertId", "\" \"", "data.essentials.alertId")]
    [InlineData("data.essentials.alertRule", "{}", "data.essentials.alertRule")]
    [InlineData("data.essentials.firedDateTime", "\"yesterday\"", "data.essentials.firedDateTime")]
    [InlineData("data.essentials.firedDateTime", "\"11/26/2026 02:58\"", "data.essentials.firedDateTime")]
    [InlineData("data.essentials.alertTargetIDs", "\"/subscriptions/s/virtualMachines/vm-01\"", "data.essentials.alertTargetIDs")]
    [InlineData("data.essentials.alertTargetIDs", "[42]", "data.essentials.alertTargetIDs[0]")]
    [InlineData("data.essentials.configurationItems", "{}", "data.essentials.configurationItems")]
    [InlineData("data.essentials.description", "false", "data.essentials.description")]
    [InlineData("data.customProperties", "[\"team\"]", "data.customProperties")]
    public void MalformedFieldIsRefusedByItsPath(string path, string? json, string expectedField)
    {
        var (alerts, errors) = Parse(MetricAlertWith(path, json));

        Assert.Empty(alerts);
        Assert.Equal(expectedField, Assert.Single(errors).Field);
    }

    [Theory]
    [InlineData("data.essentials.alertId")]
    [InlineData("data.essentials.originAlertId")]
    public void IdTooLongToBeADedupKeyIsRefused(string path)
    {
        var (alerts, errors) = Parse(MetricAlertWith(path, JsonSerializer.Serialize(new string('a', AlertLimits.MaxDedupKey + 1))));

        Assert.Empty(alerts);
        Assert.Equal(path, Assert.Single(errors).Field);
    }

    [Fact]
    public void EveryBrokenRuleIsReportedAtOnce()
    {
        var (alerts, errors) = Parse(MetricAlertWith(
            ("data.essentials.severity", "\"Sev9\""),
            ("data.essentials.monitorCondition", "\"Unknown\""),
            ("data.essentials.alertRule", "[]")));

        Assert.Empty(alerts);
        Assert.Equal(
            ["data.essentials.alertRule", "data.essentials.monitorCondition", "data.essentials.severity"],
            errors.Select(e => e.Field).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void FiredDateTimeWithAnOffsetIsNormalisedToUtc()
    {
        var alert = Accepted(MetricAlertWith("data.essentials.firedDateTime", "\"2026-11-26T04:58:41+02:00\""));

        Assert.Equal(new DateTimeOffset(2026, 11, 26, 2, 58, 41, TimeSpan.Zero), alert.OccurredAt);
        Assert.Equal(TimeSpan.Zero, alert.OccurredAt!.Value.Offset);
    }
}
