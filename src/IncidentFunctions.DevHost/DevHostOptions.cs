using IncidentFunctions.DevHost.Local;

namespace IncidentFunctions.DevHost;

/// <summary>The dev host's own settings ("DevHost" section; e.g. --DevHost:Port=7072 on the command line).</summary>
public sealed class DevHostOptions
{
    public const string Section = "DevHost";

    /// <summary>The API port on localhost, 7071 like `func start`.</summary>
    public int Port { get; set; } = 7071;

    /// <summary>
    /// The user the dev host signs every API request in as (the role App Service Authentication plays in Azure).
    /// Empty turns it off, so that read routes answer 401 as they would without a sign-in.
    /// </summary>
    public string? Principal { get; set; } = "developer@localhost";

    /// <summary>
    /// The app roles of <see cref="Principal"/>, comma-separated (viewer, responder, commander, admin): admin by default,
    /// so a developer can do everything; empty sends no role claim, which gives the Access:DefaultRole.
    /// </summary>
    public string? Roles { get; set; } = "admin";

    /// <summary>MailDev's web inbox port when the dev host starts MailDev.</summary>
    public int MailDevWebPort { get; set; } = 1080;

    public int MailDevSmtpPort { get; set; } = 1025;

    /// <summary>Azurite's ports when the dev host starts Azurite: the emulator's usual ones, which tools expect.</summary>
    public int AzuriteBlobPort { get; set; } = 10000;

    public int AzuriteQueuePort { get; set; } = 10001;

    public int AzuriteTablePort { get; set; } = 10002;

    /// <summary>
    /// The built-in "demo" integration with a generated key (the README's walk-through), beside any configured
    /// integrations; false turns it off.
    /// </summary>
    public bool DemoIntegration { get; set; } = true;

    /// <summary>
    /// Where the dev host keeps Azurite's data, MailDev's mail and its generated keys (relative to the repository root);
    /// the git-ignored .devhost by default. A second dev host beside the first needs its own, and its own ports.
    /// </summary>
    public string? DataFolder { get; set; }

    /// <summary>
    /// How long a start waits for the Durable warm-up (<see cref="Functions.DurableWarmUp"/>) before it says it is ready
    /// without it: 5 seconds, from 1 to 300. A slow machine may want more.
    /// </summary>
    public double DurableWarmUpSeconds { get; set; } = 5;

    /// <summary><see cref="DurableWarmUpSeconds"/> as a time; a value out of range refuses the start, naming the setting.</summary>
    public TimeSpan DurableWarmUpLimit => DurableWarmUpSeconds is >= 1 and <= 300
        ? TimeSpan.FromSeconds(DurableWarmUpSeconds)
        : throw new DevHostStartException($"{Section}:{nameof(DurableWarmUpSeconds)} is {DurableWarmUpSeconds}; it must be from 1 to 300 (seconds).");
}
