using System.Diagnostics.CodeAnalysis;
using IncidentFunctions.Http;
using IncidentFunctions.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Access;

/// <summary>
/// Who is calling a route: the <see cref="Caller"/> of the request's <see cref="ClientPrincipal"/>, but only where App
/// Service Authentication is known to have written that header (<see cref="AuthenticationOptions"/>). Every route that
/// acts as the signed-in user asks here, never the header directly.
/// </summary>
public sealed partial class SignIn(
    IOptions<AuthenticationOptions> authentication, IOptions<AccessOptions> access, PolicyProvider policy, ILogger<SignIn> logger)
{
    /// <summary>The caller, or null: no header, an unreadable one, or one the app may not believe.</summary>
    public Caller? CallerOf(HttpRequest request)
    {
        if (!authentication.Value.TrustsPrincipalHeader)
        {
            // Never the header's value: it names a person, and here nobody vouches for it.
            if (request.Headers.ContainsKey(ClientPrincipal.Header))
            {
                LogIgnored(logger, ClientPrincipal.Header, request.Method, request.Path.Value, AuthenticationOptions.EasyAuthEnabledSetting);
            }

            return null;
        }

        if (ClientPrincipal.From(request) is not { } principal)
        {
            return null;
        }

        var roles = principal.Roles.Select(AppRoles.Parse).OfType<AppRole>().ToHashSet();
        if (roles.Count == 0 && access.Value.DefaultAppRole is { } fallback)
        {
            roles.Add(fallback);
        }

        return new Caller(
            principal.Name, principal.IdentityProvider, principal.Email, principal.ObjectId, roles,
            policy.Current.People.Find(principal.ObjectId, principal.Email));
    }

    /// <summary>
    /// The caller when signed in and holding <paramref name="permission"/>; otherwise the refusal: 401 without a
    /// caller (saying why a header did not count), 403 naming the permission.
    /// </summary>
    public bool TryAdmit(HttpRequest request, Permission permission, [NotNullWhen(true)] out Caller? caller, [NotNullWhen(false)] out Problem? refusal)
    {
        caller = CallerOf(request);
        refusal = CrossSiteRequests.Refusal(request) is { } crossSite ? crossSite
            : caller is null ? Unauthenticated(request)
            : caller.Holds(permission) ? null
            : IncidentAccess.Forbidden(caller, permission);
        if (refusal is not null)
        {
            caller = null;
        }

        return refusal is null;
    }

    Problem Unauthenticated(HttpRequest request) =>
        !authentication.Value.TrustsPrincipalHeader && request.Headers.ContainsKey(ClientPrincipal.Header)
            ? Problem.UntrustedPrincipal(AuthenticationOptions.EasyAuthEnabledSetting)
            : Problem.Unauthenticated();

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{Header} ignored on {Method} {Path}: {Setting} is not true, so nothing vouches that App Service Authentication set it")]
    static partial void LogIgnored(ILogger logger, string header, string method, string? path, string setting);
}

public static class AccessServices
{
    /// <summary>
    /// <see cref="SignIn"/> and its settings, validated on start: in Azure a deployment that does not say whether App
    /// Service Authentication is on stops at once, naming the setting, as does a default role the app does not know.
    /// </summary>
    public static IServiceCollection AddAccess(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<AuthenticationOptions, AuthenticationOptionsValidator>(configuration.GetSection(AuthenticationOptions.Section));
        var onAppService = AuthenticationOptions.DetectAppService(configuration);
        services.PostConfigure<AuthenticationOptions>(o => o.OnAppService = onAppService);
        services.AddValidatedOptions<AccessOptions, AccessOptionsValidator>(configuration.GetSection(AccessOptions.Section));
        services.AddSingleton<SignIn>();
        services.AddSingleton<IncidentGate>();
        return services;
    }
}
