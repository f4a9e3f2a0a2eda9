using Microsoft.Extensions.Options;

namespace IncidentFunctions.Access;

/// <summary>Bound from the "Access" section (Access__DefaultRole).</summary>
public sealed class AccessOptions
{
    public const string Section = "Access";

    public const string DefaultRoleSetting = Section + "__" + nameof(DefaultRole);

    /// <summary>The <see cref="DefaultRole"/> that gives a caller without a role claim no role at all.</summary>
    public const string NoRole = "none";

    /// <summary>
    /// The app role of a signed-in caller whose principal carries no role claim naming one: <c>responder</c> by
    /// default, which keeps what any signed-in user could do before app roles (read, acknowledge, resolve);
    /// <c>viewer</c> or <c>none</c> lock a deployment down to the roles its app registration assigns.
    /// </summary>
    public string DefaultRole { get; set; } = AppRoles.ValueOf(AppRole.Responder);

    /// <summary>
    /// The default role, or null for <see cref="NoRole"/> (and for a value the validator refuses on start). A blank
    /// setting is an unset one, as an app setting cleared in the portal is.
    /// </summary>
    public AppRole? DefaultAppRole => string.IsNullOrWhiteSpace(DefaultRole) ? AppRole.Responder : AppRoles.Parse(DefaultRole);
}

public sealed class AccessOptionsValidator : IValidateOptions<AccessOptions>
{
    public ValidateOptionsResult Validate(string? name, AccessOptions options) =>
        options.DefaultAppRole is not null || string.Equals(options.DefaultRole?.Trim(), AccessOptions.NoRole, StringComparison.OrdinalIgnoreCase)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{AccessOptions.Section}:{nameof(AccessOptions.DefaultRole)} ({AccessOptions.DefaultRoleSetting}): '{options.DefaultRole}' is not an app role. " +
                $"Use one of {string.Join(", ", Enum.GetValues<AppRole>().Select(AppRoles.ValueOf))} or {AccessOptions.NoRole}: " +
                "the role of a signed-in caller whose principal carries no role claim.");
}
