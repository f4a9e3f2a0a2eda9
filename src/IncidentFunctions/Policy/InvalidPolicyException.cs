using IncidentFunctions.Validation;

namespace IncidentFunctions.Policy;

/// <summary>
/// The policy broke one or more rules. Every broken rule is listed, each with its JSON path, so one edit can fix them
/// all instead of one failed start per mistake.
/// </summary>
public sealed class InvalidPolicyException(string policySource, IReadOnlyList<FieldError> errors)
    : Exception(Describe(policySource, errors))
{
    /// <summary>Where the policy came from: a file path, a setting name or a blob URI.</summary>
    public string PolicySource { get; } = policySource;

    /// <summary>Each broken rule; <see cref="FieldError.Field"/> is a path such as <c>services[0].team</c>.</summary>
    public IReadOnlyList<FieldError> Errors { get; } = errors;

    static string Describe(string source, IReadOnlyList<FieldError> errors) =>
        $"{source}: the incident policy is invalid ({errors.Count} {(errors.Count == 1 ? "error" : "errors")}):"
        + string.Concat(errors.Select(e => $"{Environment.NewLine}{e.Field}: {e.Message}"));
}
