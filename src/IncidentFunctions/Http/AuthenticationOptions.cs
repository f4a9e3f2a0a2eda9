using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Http;

/// <summary>
/// Bound from the "Authentication" section (Authentication__EasyAuthEnabled): whether the app may believe the
/// X-MS-CLIENT-PRINCIPAL header. App Service Authentication (Easy Auth) strips any copy a caller sends and sets its own,
/// so the header proves a sign-in only where Easy Auth runs in front of the app. Anywhere else (`func start` on a
/// laptop, a deployment without it) anyone can send one and claim to be anyone.
/// </summary>
public sealed class AuthenticationOptions
{
    public const string Section = "Authentication";

    /// <summary>The app setting, as a deployment spells it.</summary>
    public const string EasyAuthEnabledSetting = Section + "__" + nameof(EasyAuthEnabled);

    /// <summary>
    /// True: App Service Authentication runs in front of the app (infra/app/function.bicep turns on both), or the dev
    /// host plays its part. False or absent: the header is ignored and every route that needs a signed-in user answers
    /// 401. Nullable because in Azure the app must be told either way (see <see cref="AuthenticationOptionsValidator"/>).
    /// </summary>
    public bool? EasyAuthEnabled { get; set; }

    /// <summary>
    /// Whether the app runs on Azure App Service (which hosts Azure Functions). Not a setting: taken from the variables
    /// the platform sets (see <see cref="DetectAppService"/>). Its setter is not public, so binding never touches it.
    /// </summary>
    public bool OnAppService { get; internal set; }

    /// <summary>Whether a request's principal header may be believed.</summary>
    public bool TrustsPrincipalHeader => EasyAuthEnabled == true;

    /// <summary>
    /// App Service sets these on every instance, Functions plans included; `func start` and the dev host set neither.
    /// Read from configuration, which in the Functions host includes the process's environment.
    /// </summary>
    public static bool DetectAppService(IConfiguration configuration) =>
        !string.IsNullOrEmpty(configuration["WEBSITE_INSTANCE_ID"]) || !string.IsNullOrEmpty(configuration["WEBSITE_SITE_NAME"]);
}

/// <summary>
/// In Azure the app refuses to start until told whether sign-in is on: with the setting missing it could not know whether
/// App Service Authentication or the caller wrote the principal header, and guessing either way is wrong (trusting it
/// lets anyone be anyone; ignoring it silently closes the API of a correct deployment). Outside Azure absent means off.
/// </summary>
public sealed class AuthenticationOptionsValidator : IValidateOptions<AuthenticationOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthenticationOptions options) =>
        options.OnAppService && options.EasyAuthEnabled is null
            ? ValidateOptionsResult.Fail(
                $"{AuthenticationOptions.Section}:{nameof(AuthenticationOptions.EasyAuthEnabled)}: required on Azure App Service. " +
                $"Set the app setting {AuthenticationOptions.EasyAuthEnabledSetting} to true when App Service Authentication is on " +
                "(infra/app/function.bicep turns on both), or to false to keep every route that needs a signed-in user closed (401). " +
                "Until it is set, the app cannot tell whether X-MS-CLIENT-PRINCIPAL came from App Service Authentication or from the caller.")
            : ValidateOptionsResult.Success;
}
