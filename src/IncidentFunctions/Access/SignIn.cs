using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Http;

/// <summary>
/// Who signed in to a request: the <see cref="ClientPrincipal"/> of its header, but only where App Service
/// Authentication is known to have written that header (<see cref="AuthenticationOptions"/>). Every route that acts as
/// the signed-in user asks here, never the header directly.
/// </summary>
public sealed partial class SignIn(IOptions<AuthenticationOptions> options, ILogger<SignIn> logger)
{
    /// <summary>The signed-in principal, or null: no header, an unreadable one, or one the app may not believe.</summary>
    public ClientPrincipal? PrincipalOf(HttpRequest request)
    {
        if (options.Value.TrustsPrincipalHeader)
        {
            return ClientPrincipal.From(request);
        }

        // Never the header's value: it names a person, and here nobody vouches for it.
        if (request.Headers.ContainsKey(ClientPrincipal.Header))
        {
            LogIgnored(logger, ClientPrincipal.Header, request.Method, request.Path.Value, AuthenticationOptions.EasyAuthEnabledSetting);
        }

        return null;
    }

    /// <summary>The 401 for a request without a principal the app believes, saying which of the two it was.</summary>
    public Problem Refusal(HttpRequest request) =>
        !options.Value.TrustsPrincipalHeader && request.Headers.ContainsKey(ClientPrincipal.Header)
            ? Problem.UntrustedPrincipal(AuthenticationOptions.EasyAuthEnabledSetting)
            : Problem.Unauthenticated();

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{Header} ignored on {Method} {Path}: {Setting} is not true, so nothing vouches that App Service Authentication set it")]
    static partial void LogIgnored(ILogger logger, string header, string method, string? path, string setting);
}

public static class SignInServices
{
    /// <summary>
    /// <see cref="SignIn"/> and its one setting, validated on start: in Azure a deployment that does not say whether
    /// App Service Authentication is on stops at once, naming the setting.
    /// </summary>
    public static IServiceCollection AddSignIn(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<AuthenticationOptions, AuthenticationOptionsValidator>(configuration.GetSection(AuthenticationOptions.Section));
        var onAppService = AuthenticationOptions.DetectAppService(configuration);
        services.PostConfigure<AuthenticationOptions>(o => o.OnAppService = onAppService);
        services.AddSingleton<SignIn>();
        return services;
    }
}
