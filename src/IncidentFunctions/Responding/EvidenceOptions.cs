using Microsoft.Extensions.Options;

namespace IncidentFunctions.Responding;

/// <summary>Bound from the "Evidence" section (Evidence__MaxBytes).</summary>
public sealed class EvidenceOptions
{
    public const string Section = "Evidence";
    public const long DefaultMaxBytes = 10 * 1024 * 1024;

    /// <summary>A request body is buffered whole before it is stored (nothing is stored of a file over the limit), so the limit is kept well below the host's own.</summary>
    public const long MaxMaxBytes = 50 * 1024 * 1024;

    /// <summary>The largest evidence file one request may add; a larger one is a 413 and nothing is stored.</summary>
    public long MaxBytes { get; set; } = DefaultMaxBytes;
}

/// <summary>Checked on start. Messages name the setting and say what it takes.</summary>
public sealed class EvidenceOptionsValidator : IValidateOptions<EvidenceOptions>
{
    public ValidateOptionsResult Validate(string? name, EvidenceOptions options) =>
        options.MaxBytes is < 1 or > EvidenceOptions.MaxMaxBytes
            ? ValidateOptionsResult.Fail($"{EvidenceOptions.Section}:MaxBytes must be from 1 to {EvidenceOptions.MaxMaxBytes} bytes (default {EvidenceOptions.DefaultMaxBytes}, 10 MiB).")
            : ValidateOptionsResult.Success;
}
