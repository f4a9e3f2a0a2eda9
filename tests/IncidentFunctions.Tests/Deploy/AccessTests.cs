using System.Text.Json.Nodes;
using IncidentFunctions.Incidents;
using IncidentFunctions.Ingestion;
using IncidentFunctions.Notifications;
using IncidentFunctions.Policy;
using IncidentFunctions.Timeline;

namespace IncidentFunctions.Tests.Deploy;

/// <summary>The app's identity may do exactly what the code does, on the resource it does it to, and nothing more.</summary>
[Collection(DeploymentCollection.Name)]
public sealed class AccessTests(DeploymentFixture deployment)
{
    const string StorageAccount = "Microsoft.Storage/storageAccounts";

    // ACS has no data-plane role for email; the template defines one with the actions Microsoft documents for sending
    // with an Entra identity. Identified by its actions, so the test does not repeat how the template names it.
    static readonly string[] EmailSenderActions =
    [
        "Microsoft.Communication/CommunicationServices/Read",
        "Microsoft.Communication/CommunicationServices/Write",
        "Microsoft.Communication/EmailServices/write",
    ];

    /// <summary>
    /// Every data-plane access the app's code performs, with the narrowest role that allows it and the resource it is
    /// granted on. The role assignments are checked against this list and nothing else: when the code gains an
    /// access, it belongs here first.
    /// </summary>
    static readonly DataPlaneAccess[] WhatTheCodeUses =
    [
        new("tables incidents, incidentindex, alertkeys, timeline, requests (IncidentStore, TimelineStore, AlertProcessor, IdempotentRequests); Durable history and instances tables",
            StorageAccount, "Storage Table Data Contributor", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"),
        new("queues alerts and alerts-poison (AlertPayloads, the queue trigger); Durable control and work-item queues",
            StorageAccount, "Storage Queue Data Contributor", "974c5e8b-45b9-4653-ba55-5f855dd0fb88"),
        new("blobs: host leases (AzureWebJobsStorage needs Owner), Durable task hub, alert-payloads, the policy blob (PolicyProvider), the deployment package",
            StorageAccount, "Storage Blob Data Owner", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"),
        new("telemetry with APPLICATIONINSIGHTS_AUTHENTICATION_STRING (the component refuses key-only ingestion)",
            "Microsoft.Insights/components", "Monitoring Metrics Publisher", "3913510d-42f4-4e42-8a64-420c390055eb"),
        new("Key Vault references: Links__SigningKey, Links__PreviousSigningKey, integration secrets",
            "Microsoft.KeyVault/vaults", "Key Vault Secrets User", "4633458b-17de-408a-b874-0445c86b69e6"),
        new("publishing lifecycle events to incident-events (IncidentEvents__*)",
            "Microsoft.ServiceBus/namespaces/topics", "Azure Service Bus Data Sender", "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39"),
        new("POST emails:send with a token for https://communication.azure.com (AcsEmailSender, AcsTokenAuthentication)",
            "Microsoft.Communication/communicationServices", "custom email sender role", EmailSender: true),
    ];

    // Roles that manage resources or grant access: the app must never hold them, and nobody gets them here.
    static readonly Dictionary<string, string> ManagementRoles = new()
    {
        ["8e3af657-a8ff-443c-a75c-2fe8c4bcb635"] = "Owner",
        ["b24988ac-6180-42a0-ab88-20f7382dd24c"] = "Contributor",
        ["18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"] = "User Access Administrator",
        ["f58310d9-a9f6-439a-9e8d-f62e7b41a168"] = "Role Based Access Control Administrator",
        ["17d1049b-9a84-46fb-8f53-869881c3d3ab"] = "Storage Account Contributor",
        ["09976791-48a7-449e-bb21-39d1a415f350"] = "Communication and Email Service Owner",
        ["00482a5a-887f-4fb3-b363-3b7fe8e74483"] = "Key Vault Administrator",
        ["090c5cfd-751d-490a-894a-3ce6f1109419"] = "Azure Service Bus Data Owner",
    };

    [Fact]
    public void EveryDataPlaneAccessOfTheAppHasItsRoleAndNoOtherRoleIsGranted()
    {
        foreach (var predicted in new[] { deployment.FirstDeployment, deployment.ConfiguredRedeployment })
        {
            var emailSenderRole = EmailSenderRoleId(predicted);
            var expected = WhatTheCodeUses
                .Select(a => $"{a.ScopeType} {(a.EmailSender ? emailSenderRole : a.RoleId)} ({a.Role}: {a.Access})")
                .Order(StringComparer.Ordinal);
            var granted = predicted.AppRoleAssignments
                .Select(a => $"{a.ScopeType} {a.RoleDefinition} ({Describe(a.RoleDefinition, emailSenderRole)})")
                .Order(StringComparer.Ordinal);

            Assert.Equal(expected, granted);
        }
    }

    [Fact]
    public void AppRoleAssignmentsAreNamedFromScopePrincipalAndRole()
    {
        var predicted = deployment.FirstDeployment;
        Assert.NotEmpty(predicted.AppRoleAssignments);
        Assert.All(predicted.AppRoleAssignments, a =>
        {
            Assert.Equal("ServicePrincipal", a.PrincipalType);
            Assert.StartsWith($"[guid('{a.Scope}', {a.PrincipalId[1..^1]}, '", a.Name, StringComparison.Ordinal);
            Assert.EndsWith($", '{a.RoleDefinition}')]", a.Name, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void TheAppReachesEachResourceItUsesAndOnlyThose()
    {
        var predicted = deployment.FirstDeployment;
        var resourceIds = predicted.Resources.Select(r => (string)r["id"]!).ToHashSet(StringComparer.OrdinalIgnoreCase);

        // Granted on the resources this deployment creates, never on the resource group or the subscription.
        Assert.All(predicted.RoleAssignments, a => Assert.Contains(a.Scope, resourceIds));
        var topic = Assert.Single(predicted.AppRoleAssignments, a => a.ScopeType == "Microsoft.ServiceBus/namespaces/topics");
        Assert.EndsWith("/topics/incident-events", topic.Scope, StringComparison.Ordinal);
    }

    [Fact]
    public void NobodyIsGrantedAManagementRole()
    {
        foreach (var predicted in new[] { deployment.FirstDeployment, deployment.ConfiguredRedeployment })
        {
            Assert.NotEmpty(predicted.RoleAssignments);
            Assert.All(predicted.RoleAssignments, a => Assert.False(
                ManagementRoles.ContainsKey(a.RoleDefinition), $"{ManagementRoles.GetValueOrDefault(a.RoleDefinition)} on {a.Scope}"));
        }
    }

    [Fact]
    public void TheEmailSenderRoleAllowsSendingAndNothingElse()
    {
        var role = deployment.FirstDeployment.Single("Microsoft.Authorization/roleDefinitions");
        var properties = PredictedDeployment.Properties(role);
        var permissions = Assert.Single(properties["permissions"]!.AsArray())!;

        Assert.Equal(EmailSenderActions.Order(StringComparer.Ordinal), Strings(permissions["actions"]).Order(StringComparer.Ordinal));
        Assert.Empty(Strings(permissions["dataActions"]));
        Assert.DoesNotContain(Strings(permissions["actions"]), a => a.Contains('*', StringComparison.Ordinal) || a.Contains("ListKeys", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(
            [$"/subscriptions/{DeploymentFixture.SubscriptionId}/resourceGroups/{DeploymentFixture.ResourceGroup}"],
            Strings(properties["assignableScopes"]));
    }

    [Fact]
    public void TheOperatorMayUploadThePolicyAndSetSecretsAndNothingMore()
    {
        var operatorAssignments = deployment.FirstDeployment.RoleAssignments
            .Where(a => a.PrincipalId == DeploymentFixture.OperatorPrincipalId)
            .ToList();

        Assert.Equal(
            [
                "Microsoft.KeyVault/vaults b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
                "Microsoft.Storage/storageAccounts/blobServices/containers ba92f5b4-2d11-453d-a403-e96b0029c9fe",
            ],
            operatorAssignments.Select(a => $"{a.ScopeType} {a.RoleDefinition}").Order(StringComparer.Ordinal));
        Assert.Contains(operatorAssignments, a => a.Scope.EndsWith("/containers/policy", StringComparison.Ordinal));
        Assert.All(operatorAssignments, a =>
        {
            Assert.Equal("User", a.PrincipalType);
            Assert.Equal(PredictedDeployment.ArmGuid(a.Scope, a.PrincipalId, a.RoleDefinition), a.Name);
        });

        // No operator named, none granted.
        Assert.Equal(
            deployment.ConfiguredRedeployment.AppRoleAssignments.Count,
            deployment.ConfiguredRedeployment.RoleAssignments.Count);
    }

    static string EmailSenderRoleId(PredictedDeployment predicted) =>
        (string)Assert.Single(
            predicted.OfType("Microsoft.Authorization/roleDefinitions"),
            r => Strings(PredictedDeployment.Properties(r)["permissions"]![0]!["actions"]).Order(StringComparer.Ordinal)
                .SequenceEqual(EmailSenderActions.Order(StringComparer.Ordinal)))["name"]!;

    static string Describe(string roleId, string emailSenderRole) =>
        WhatTheCodeUses.FirstOrDefault(a => a.RoleId == roleId || (a.EmailSender && roleId == emailSenderRole)) is { } access
            ? $"{access.Role}: {access.Access}"
            : "a role the code does not need";

    static IEnumerable<string> Strings(JsonNode? array) => array!.AsArray().Select(n => (string)n!);

    sealed record DataPlaneAccess(string Access, string ScopeType, string Role, string? RoleId = null, bool EmailSender = false);
}
