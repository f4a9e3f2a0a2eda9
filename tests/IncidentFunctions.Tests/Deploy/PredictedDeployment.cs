using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace IncidentFunctions.Tests.Deploy;

/// <summary>
/// What `bicep snapshot` predicts a deployment creates: each resource with every value that is known before Azure
/// answers, and ARM expressions (such as <c>[reference('...').clientId]</c>) for the rest.
/// </summary>
public sealed partial class PredictedDeployment
{
    public const string IdentityType = "Microsoft.ManagedIdentity/userAssignedIdentities";
    public const string RoleAssignmentType = "Microsoft.Authorization/roleAssignments";

    public PredictedDeployment(JsonObject snapshot, BicepResult run)
    {
        Run = run;
        Resources = snapshot["predictedResources"]!.AsArray().Select(r => r!.AsObject()).ToList();
        Diagnostics = snapshot["diagnostics"]!.AsArray();
        Outputs = snapshot["outputs"]!.AsObject();
    }

    public BicepResult Run { get; }

    public IReadOnlyList<JsonObject> Resources { get; }

    public JsonArray Diagnostics { get; }

    public JsonObject Outputs { get; }

    public IReadOnlyList<JsonObject> OfType(string type) =>
        Resources.Where(r => string.Equals((string?)r["type"], type, StringComparison.OrdinalIgnoreCase)).ToList();

    public JsonObject Single(string type) => Assert.Single(OfType(type));

    /// <summary>A child resource such as sites/config 'appsettings', by the last segment of its name.</summary>
    public JsonObject Child(string type, string name) =>
        Assert.Single(OfType(type), r => ((string)r["name"]!).EndsWith("/" + name, StringComparison.Ordinal));

    public static JsonObject Properties(JsonObject resource) => resource["properties"]!.AsObject();

    public IReadOnlyDictionary<string, string> AppSettings =>
        Properties(Child("Microsoft.Web/sites/config", "appsettings"))
            .ToDictionary(p => p.Key, p => (string)p.Value!, StringComparer.Ordinal);

    public string IdentityId => (string)Single(IdentityType)["id"]!;

    /// <summary>Whether <paramref name="value"/> is a property of the app's identity, such as its clientId.</summary>
    public bool IsIdentityProperty(string value, string property) =>
        value.Contains($"reference('{IdentityId}', ", StringComparison.Ordinal) &&
        value.Contains($").{property}", StringComparison.Ordinal);

    public IReadOnlyList<RoleAssignment> RoleAssignments => OfType(RoleAssignmentType).Select(ToRoleAssignment).ToList();

    /// <summary>The assignments whose principal is the app's user-assigned identity.</summary>
    public IReadOnlyList<RoleAssignment> AppRoleAssignments =>
        RoleAssignments.Where(a => IsIdentityProperty(a.PrincipalId, "principalId")).ToList();

    static RoleAssignment ToRoleAssignment(JsonObject resource)
    {
        var id = (string)resource["id"]!;
        var properties = Properties(resource);

        // An assignment whose name waits for a runtime value is written as [extensionResourceId('<scope>', ...)];
        // an evaluated one as <scope>/providers/Microsoft.Authorization/roleAssignments/<name>.
        var scope = ExtensionScope().Match(id) is { Success: true } match
            ? match.Groups[1].Value
            : id[..id.IndexOf("/providers/Microsoft.Authorization/roleAssignments/", StringComparison.OrdinalIgnoreCase)];
        return new RoleAssignment(
            scope,
            ((string)properties["roleDefinitionId"]!).Split('/')[^1],
            (string)properties["principalId"]!,
            (string?)properties["principalType"],
            (string)resource["name"]!);
    }

    /// <summary>The resource type of a resource id, such as Microsoft.Storage/storageAccounts/blobServices/containers.</summary>
    public static string TypeOf(string resourceId)
    {
        if (!resourceId.Contains("/providers/", StringComparison.OrdinalIgnoreCase))
        {
            return resourceId.Contains("/resourceGroups/", StringComparison.OrdinalIgnoreCase) ? "resourceGroup" : "subscription";
        }

        var parts = resourceId[(resourceId.LastIndexOf("/providers/", StringComparison.OrdinalIgnoreCase) + "/providers/".Length)..].Split('/');
        return string.Join('/', parts.Where((_, i) => i == 0 || i % 2 == 1));
    }

    /// <summary>ARM's guid(): a version 5 UUID of the arguments joined with '-', in ARM's own namespace.</summary>
    public static string ArmGuid(params string[] values)
    {
        ReadOnlySpan<byte> armNamespace = [0x11, 0xfb, 0x06, 0xfb, 0x71, 0x2d, 0x4d, 0xdd, 0x98, 0xc7, 0xe7, 0x1b, 0xbd, 0x58, 0x88, 0x30];
        var hash = SHA1.HashData([.. armNamespace, .. Encoding.UTF8.GetBytes(string.Join('-', values))]);
        hash[6] = (byte)((hash[6] & 0x0f) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3f) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString();
    }

    [GeneratedRegex(@"^\[extensionResourceId\('([^']+)', 'Microsoft\.Authorization/roleAssignments'")]
    private static partial Regex ExtensionScope();
}

public sealed record RoleAssignment(string Scope, string RoleDefinition, string PrincipalId, string? PrincipalType, string Name)
{
    public string ScopeType => PredictedDeployment.TypeOf(Scope);
}
