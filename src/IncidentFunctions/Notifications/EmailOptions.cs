using System.Net.Mail;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Notifications;

public enum EmailTransport
{
    Smtp,
    Acs,
}

/// <summary>How the SMTP connection is secured; the names are MailKit's <c>SecureSocketOptions</c>.</summary>
public enum SmtpSecurity
{
    None,
    StartTls,
    SslOnConnect,
    Auto,
}

/// <summary>Bound from the "Email" configuration section.</summary>
public sealed class EmailOptions
{
    public const string Section = "Email";

    /// <summary>Required; nullable so that a missing setting is told apart from the first enum value.</summary>
    public EmailTransport? Transport { get; set; }

    public string? From { get; set; }

    public string FromName { get; set; } = "IncidentFunctions";

    public SmtpOptions Smtp { get; set; } = new();

    public AcsOptions Acs { get; set; } = new();
}

public sealed class SmtpOptions
{
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    public string? UserName { get; set; }

    public string? Password { get; set; }
}

public sealed class AcsOptions
{
    /// <summary>The Communication Services resource, e.g. https://name.communication.azure.com.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>When set, requests are signed with it (HMAC); when absent, a Microsoft Entra token is used.</summary>
    public string? AccessKey { get; set; }

    /// <summary>A user-assigned managed identity to get the token with; absent: DefaultAzureCredential.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>Attempts per send, the first included, before the failure goes to the caller's retry policy.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The first backoff when ACS gives no Retry-After; it doubles per attempt up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The longest wait inside one send. When ACS asks for longer (an hourly quota), the send fails at once instead:
    /// an activity should not sit idle for minutes when the orchestration's retry policy can wait for free.
    /// </summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(60);
}

public sealed class EmailOptionsValidator : IValidateOptions<EmailOptions>
{
    public ValidateOptionsResult Validate(string? name, EmailOptions options)
    {
        const string s = EmailOptions.Section;
        var failures = new List<string>();

        if (options.Transport is null)
        {
            failures.Add($"{s}:Transport is required: Smtp or Acs.");
        }

        if (string.IsNullOrWhiteSpace(options.From))
        {
            failures.Add($"{s}:From is required: the sender's email address.");
        }
        else if (!MailAddress.TryCreate(options.From, out var from) || from.Address != options.From.Trim())
        {
            failures.Add($"{s}:From must be a plain email address such as incidents@example.com (the display name goes in {s}:FromName).");
        }

        switch (options.Transport)
        {
            case EmailTransport.Smtp:
                ValidateSmtp(options.Smtp, failures);
                break;
            case EmailTransport.Acs:
                ValidateAcs(options.Acs, failures);
                break;
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }

    static void ValidateSmtp(SmtpOptions smtp, List<string> failures)
    {
        const string s = $"{EmailOptions.Section}:Smtp";
        if (string.IsNullOrWhiteSpace(smtp.Host))
        {
            failures.Add($"{s}:Host is required when {EmailOptions.Section}:Transport is Smtp.");
        }

        if (smtp.Port is < 1 or > 65535)
        {
            failures.Add($"{s}:Port must be between 1 and 65535.");
        }

        if (string.IsNullOrEmpty(smtp.UserName) != string.IsNullOrEmpty(smtp.Password))
        {
            failures.Add($"{s}:UserName and {s}:Password are set together or not at all.");
        }
    }

    static void ValidateAcs(AcsOptions acs, List<string> failures)
    {
        const string s = $"{EmailOptions.Section}:Acs";
        if (acs.Endpoint is null)
        {
            failures.Add($"{s}:Endpoint is required when {EmailOptions.Section}:Transport is Acs.");
        }
        else if (!acs.Endpoint.IsAbsoluteUri || !(acs.Endpoint.Scheme == Uri.UriSchemeHttps || (acs.Endpoint.Scheme == Uri.UriSchemeHttp && acs.Endpoint.IsLoopback)))
        {
            // Plain http is allowed on loopback only, for a local fake; anywhere else it would expose the token or key.
            failures.Add($"{s}:Endpoint must be an absolute https URL such as https://name.communication.azure.com.");
        }

        if (!string.IsNullOrEmpty(acs.AccessKey) && !IsBase64(acs.AccessKey))
        {
            failures.Add($"{s}:AccessKey must be the resource's access key as ACS shows it (base64).");
        }

        if (acs.MaxAttempts < 1)
        {
            failures.Add($"{s}:MaxAttempts must be at least 1.");
        }

        if (acs.RetryDelay < TimeSpan.Zero)
        {
            failures.Add($"{s}:RetryDelay must not be negative.");
        }

        if (acs.MaxRetryDelay < acs.RetryDelay)
        {
            failures.Add($"{s}:MaxRetryDelay must be at least {s}:RetryDelay.");
        }
    }

    static bool IsBase64(string value) =>
        Convert.TryFromBase64String(value, new byte[value.Length], out var written) && written > 0;
}
