using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using IncidentFunctions.Model;
using IncidentFunctions.Opening;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Ingestion;

/// <summary>One monitoring source allowed to send alerts, and the secrets it may present (two during a rotation).</summary>
public sealed class IntegrationSettings
{
    public List<string> Secrets { get; set; } = [];

    /// <summary>
    /// Standard Webhooks secrets ("whsec_" + base64). When set, every request must be signed with one of them and
    /// <see cref="Secrets"/> is neither required nor accepted: the signature is the authentication.
    /// </summary>
    public List<string> WebhookSecrets { get; set; } = [];

    /// <summary>
    /// HMAC secrets (Grafana alerting's "HMAC signature" setting). When set, every request must carry the hex
    /// HMAC-SHA256 of its body in <see cref="HmacHeader"/>, and <see cref="Secrets"/> is neither required nor accepted.
    /// </summary>
    public List<string> HmacSecrets { get; set; } = [];

    /// <summary>The header with the signature; Grafana's default when empty.</summary>
    public string? HmacHeader { get; set; }

    /// <summary>
    /// When set (Grafana's "timestamp header", usually X-Grafana-Alerting-Timestamp), the header is required, must be
    /// within 5 minutes of our clock, and is signed with the body as "{timestamp}:{body}": without it a captured request
    /// could be replayed.
    /// </summary>
    public string? HmacTimestampHeader { get; set; }

    /// <summary>
    /// Label names whose values, all present, join alerts into one incident (see <see cref="AlertGroups"/>); empty
    /// (the default) gives each dedup key its own incident.
    /// </summary>
    public List<string> GroupBy { get; set; } = [];

    /// <summary>Openings of one key within <see cref="FlapWindowMinutes"/> from which an incident is flapping (see <see cref="Flapping"/>); 0 turns detection off.</summary>
    public int FlapThreshold { get; set; } = Flapping.DefaultThreshold;

    public double FlapWindowMinutes { get; set; } = Flapping.DefaultWindowMinutes;

    /// <summary>The payload format this integration sends (see <see cref="AlertFormats"/>); generic JSON by default.</summary>
    public string Format { get; set; } = AlertFormats.Generic;
}

/// <summary>Bound from the "Integrations" configuration section: Integrations__{name}__Secrets__{n} (or __WebhookSecrets__{n}).</summary>
public sealed partial class IntegrationOptions
{
    public const string Section = "Integrations";
    public const int MinSecretLength = 16;

    public Dictionary<string, IntegrationSettings> Items { get; } = new(StringComparer.OrdinalIgnoreCase);
}

public sealed class IntegrationOptionsValidator : IValidateOptions<IntegrationOptions>
{
    const string UnresolvedKeyVaultReference = "@Microsoft.KeyVault(";

    public ValidateOptionsResult Validate(string? name, IntegrationOptions options)
    {
        var failures = new List<string>();
        foreach (var (integration, settings) in options.Items)
        {
            if (!IntegrationNames.Pattern().IsMatch(integration))
            {
                failures.Add($"{IntegrationOptions.Section}:{integration}: the name must be 1-64 letters, digits, '-' or '_'.");
            }

            if (string.Equals(integration, IntegrationNames.Declared, StringComparison.OrdinalIgnoreCase))
            {
                failures.Add($"{IntegrationOptions.Section}:{integration}: the name is reserved for incidents people declare; choose another.");
            }

            if (!AlertFormats.IsKnown(settings.Format))
            {
                failures.Add($"{IntegrationOptions.Section}:{integration}:Format: '{settings.Format}' is not a known format ({string.Join(", ", AlertFormats.Known)}).");
            }

            if (settings.Secrets.Count == 0 && settings.WebhookSecrets.Count == 0 && settings.HmacSecrets.Count == 0)
            {
                failures.Add($"{IntegrationOptions.Section}:{integration}:Secrets: at least one secret is required (or WebhookSecrets, or HmacSecrets).");
            }

            if (settings.WebhookSecrets.Count > 0 && settings.HmacSecrets.Count > 0)
            {
                failures.Add($"{IntegrationOptions.Section}:{integration}:HmacSecrets: an integration is signed one way; remove HmacSecrets or WebhookSecrets.");
            }

            CheckSharedSecrets(failures, $"{IntegrationOptions.Section}:{integration}:HmacSecrets", settings.HmacSecrets);

            if (string.Equals(settings.Format, AlertFormats.PagerDuty, StringComparison.OrdinalIgnoreCase) && (settings.WebhookSecrets.Count > 0 || settings.HmacSecrets.Count > 0))
            {
                failures.Add($"{IntegrationOptions.Section}:{integration}:{(settings.WebhookSecrets.Count > 0 ? "WebhookSecrets" : "HmacSecrets")}: a pagerduty integration is identified by its routing key (Secrets); Events API senders do not sign.");
            }

            if (settings.FlapThreshold is not 0 and (< 2 or > 100))
            {
                failures.Add($"{IntegrationOptions.Section}:{integration}:FlapThreshold: 0 (off) or 2 to 100 openings.");
            }

            if (!(settings.FlapWindowMinutes > 0 && settings.FlapWindowMinutes <= 24 * 60))
            {
                failures.Add($"{IntegrationOptions.Section}:{integration}:FlapWindowMinutes: more than 0 and at most 1440 (a day).");
            }

            if (settings.GroupBy.Count > AlertGroups.MaxLabels || settings.GroupBy.Any(l => l.Length is 0 or > AlertLimits.MaxLabelKey))
            {
                failures.Add($"{IntegrationOptions.Section}:{integration}:GroupBy: at most {AlertGroups.MaxLabels} label names of 1-{AlertLimits.MaxLabelKey} characters.");
            }

            if (settings.GroupBy.Count > 0 && string.Equals(settings.Format, AlertFormats.PagerDuty, StringComparison.OrdinalIgnoreCase))
            {
                failures.Add($"{IntegrationOptions.Section}:{integration}:GroupBy: Events API senders act on their own dedup_key, which grouping would hide.");
            }

            CheckSharedSecrets(failures, $"{IntegrationOptions.Section}:{integration}:Secrets", settings.Secrets);

            for (var i = 0; i < settings.WebhookSecrets.Count; i++)
            {
                if (StandardWebhooks.KeyOf(settings.WebhookSecrets[i]) is null)
                {
                    failures.Add($"{IntegrationOptions.Section}:{integration}:WebhookSecrets:{i}: must be '{StandardWebhooks.SecretPrefix}' followed by the base64 of at least {StandardWebhooks.MinSecretBytes} bytes.");
                }
            }
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }

    static void CheckSharedSecrets(List<string> failures, string path, List<string> secrets)
    {
        for (var i = 0; i < secrets.Count; i++)
        {
            // App Service hands an unresolvable Key Vault reference to the app as its literal text, which is long
            // enough to pass as a secret and is written in the app's configuration for anyone who can read it.
            if (secrets[i].StartsWith(UnresolvedKeyVaultReference, StringComparison.OrdinalIgnoreCase))
            {
                failures.Add($"{path}:{i}: is an unresolved Key Vault reference; check that the secret exists and the app's identity may read it.");
            }
            else if (secrets[i].Length < IntegrationOptions.MinSecretLength)
            {
                failures.Add($"{path}:{i}: must be at least {IntegrationOptions.MinSecretLength} characters.");
            }
        }
    }
}
