using IncidentFunctions.DevHost.Functions;
using IncidentFunctions.DevHost.Local;
using IncidentFunctions.Policy;
using IncidentFunctions.Storage;

namespace IncidentFunctions.DevHost;

/// <summary>What a developer needs on start: where things are, and one command that fires an alert.</summary>
public static class Banner
{
    /// <summary>Printed once the host serves requests; scripts and tests wait for this line.</summary>
    public const string ReadyLine = "IncidentFunctions dev host is ready.";

    /// <summary>Starts the banner's line on the task hub when the Durable path was warmed (see <see cref="DurableWarmUp"/>).</summary>
    public const string DurableWarmedPrefix = "  Durable      task hub ";

    public static void Print(
        ILogger logger, DevHostOptions options, RepositoryPaths paths, FunctionCatalog catalog, LocalStack local, IncidentPolicy policy, string? demoKey,
        string hubName, TimeSpan? durableWarmedIn)
    {
        var api = $"http://localhost:{options.Port}/{Routes.Prefix}";
        var lines = new List<string>
        {
            string.Empty,
            ReadyLine,
            $"  Console      {api}/{Routes.Console}  (signed in as {(string.IsNullOrWhiteSpace(options.Principal) ? "nobody: DevHost:Principal is empty" : $"{options.Principal}, roles {(string.IsNullOrWhiteSpace(options.Roles) ? "the default" : options.Roles)}; as another role: http://localhost:{options.Port}{DevHostExtensions.RolesPath}?as=viewer")})",
            $"  API          {api}",
            $"  OpenAPI      {api}/{Routes.ApiDocument}",
            $"  Functions    {string.Join(", ", catalog.Functions.Select(f => $"{f.Name} ({f.Kind})"))}",
            local.Azurite is { } azurite
                ? $"  Storage      Azurite on 127.0.0.1: blob {azurite.Blob}, queue {azurite.Queue}, table {azurite.Table} (data in {paths.Shown(paths.Azurite)})"
                : "  Storage      the configured AzureWebJobsStorage connection",
        };
        lines.Add(durableWarmedIn is { } warmed
            ? $"{DurableWarmedPrefix}{hubName}, its path run once in {warmed.TotalMilliseconds:0} ms"
            : $"{DurableWarmedPrefix}{hubName}, its path not warmed (see the warning above); the first orchestrations may be slower");
        if (local.MailDev is { } mail)
        {
            lines.Add($"  Mail inbox   {mail.Inbox} (SMTP 127.0.0.1:{mail.Smtp}); pages and their Acknowledge links land here");
        }

        lines.Add($"  Policy       {policy.Source} (version {policy.Version}: {policy.Counts.People} people, {policy.Counts.Services} services)");

        if (demoKey is not null)
        {
            lines.Add($"  Demo key     {demoKey}  (integration '{LocalSettings.DemoIntegration}', kept in {paths.Shown(paths.DemoKey)})");
            lines.Add(string.Empty);
            lines.Add("Fire a sample alert:");
            lines.Add($"  curl -sS -X POST '{api}/alerts/{LocalSettings.DemoIntegration}' -H 'Authorization: Bearer {demoKey}' -H 'Content-Type: application/json' \\");
            lines.Add("       -d '{\"title\":\"Checkout latency above 2s\",\"severity\":\"critical\",\"source\":\"checkout-api\",\"labels\":{\"service\":\"checkout\"}}'");
            lines.Add($"  curl -sS '{api}/incidents?status=open'");
        }

        // The console is the interface here: print the banner as plain lines, not as log records.
        Console.WriteLine(string.Join(Environment.NewLine, lines) + Environment.NewLine);
        logger.LogInformation("Dev host listening on {Api}", api);
    }

    /// <summary>
    /// The line a benchmark reads to tell storage round trips per alert and per incident: the app's requests and the
    /// Durable provider's, by kind (see <see cref="StorageRequestMeter"/>).
    /// </summary>
    public const string StorageRequestsPrefix = "Storage requests by kind:";

    public static void PrintStorageRequests(StorageRequestMeter meter) =>
        Console.WriteLine($"{StorageRequestsPrefix} {string.Join(", ", meter.Totals.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}"))}");
}
