using Microsoft.Extensions.Options;

namespace IncidentFunctions.Links;

/// <summary>Bound from the "Links" configuration section (Links__BaseUrl, Links__SigningKey, ...).</summary>
public sealed class ResponderLinkOptions
{
    public const string Section = "Links";
    public const int MinKeyBytes = 32;
    public const int DefaultLifetimeHours = 24;

    // A link lives in a mailbox that others may later read; a week bounds how long a forwarded email stays a credential.
    public const int MaxLifetimeHours = 7 * 24;

    /// <summary>The app's public base URL, such as https://myapp.azurewebsites.net; emailed links start with it.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>Base64, at least <see cref="MinKeyBytes"/> bytes. In Azure, a Key Vault reference.</summary>
    public string? SigningKey { get; set; }

    /// <summary>The key being rotated out: links it signed are still accepted, new links are signed with SigningKey.</summary>
    public string? PreviousSigningKey { get; set; }

    public int LifetimeHours { get; set; } = DefaultLifetimeHours;

    /// <summary>The decoded key, or null when the setting is not base64 of at least <see cref="MinKeyBytes"/> bytes.</summary>
    internal static byte[]? DecodeKey(string? setting)
    {
        if (string.IsNullOrWhiteSpace(setting))
        {
            return null;
        }

        var buffer = new byte[setting.Length];
        return Convert.TryFromBase64String(setting, buffer, out var length) && length >= MinKeyBytes ? buffer[..length] : null;
    }

    internal static Uri? ParseBaseUrl(string? setting) =>
        Uri.TryCreate(setting?.Trim().TrimEnd('/'), UriKind.Absolute, out var uri) &&
        uri.Scheme is "https" or "http" && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0
            ? uri
            : null;
}

/// <summary>Refuses to start without a usable base URL and key. Messages name the setting, never its value.</summary>
public sealed class ResponderLinkOptionsValidator : IValidateOptions<ResponderLinkOptions>
{
    const string GenerateHint = "generate one with `openssl rand -base64 32`";

    public ValidateOptionsResult Validate(string? name, ResponderLinkOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.BaseUrl))
        {
            failures.Add($"{ResponderLinkOptions.Section}:BaseUrl: required; the app's public base URL, such as https://myapp.azurewebsites.net.");
        }
        else if (ResponderLinkOptions.ParseBaseUrl(options.BaseUrl) is null)
        {
            failures.Add($"{ResponderLinkOptions.Section}:BaseUrl: must be an absolute http or https URL without query, fragment or user info.");
        }

        if (string.IsNullOrWhiteSpace(options.SigningKey))
        {
            failures.Add($"{ResponderLinkOptions.Section}:SigningKey: required; base64 of at least {ResponderLinkOptions.MinKeyBytes} random bytes ({GenerateHint}).");
        }
        else if (ResponderLinkOptions.DecodeKey(options.SigningKey) is null)
        {
            failures.Add($"{ResponderLinkOptions.Section}:SigningKey: must be base64 of at least {ResponderLinkOptions.MinKeyBytes} bytes ({GenerateHint}).");
        }

        if (!string.IsNullOrWhiteSpace(options.PreviousSigningKey) && ResponderLinkOptions.DecodeKey(options.PreviousSigningKey) is null)
        {
            failures.Add($"{ResponderLinkOptions.Section}:PreviousSigningKey: must be base64 of at least {ResponderLinkOptions.MinKeyBytes} bytes, or absent.");
        }

        if (options.LifetimeHours is < 1 or > ResponderLinkOptions.MaxLifetimeHours)
        {
            failures.Add($"{ResponderLinkOptions.Section}:LifetimeHours: must be a whole number from 1 to {ResponderLinkOptions.MaxLifetimeHours}.");
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
