using System.Net.Mail;
using IncidentFunctions.Access;
using IncidentFunctions.DevHost.Functions;
using IncidentFunctions.Http;

namespace IncidentFunctions.DevHost;

public static class DevHostExtensions
{
    /// <summary>One listener per queue-triggered function, with host.json's queue settings.</summary>
    public static WebApplicationBuilder AddQueueFunctions(this WebApplicationBuilder builder, FunctionCatalog catalog, QueueSettings settings)
    {
        foreach (var function in catalog.OfKind(TriggerKind.Queue))
        {
            builder.Services.AddSingleton<IHostedService>(services => ActivatorUtilities.CreateInstance<QueueTriggerListener>(services, function, settings));
        }

        return builder;
    }

    /// <summary>
    /// One listener per timer-triggered function, on the schedule its attribute names. A schedule that cannot run (a
    /// setting not set, an expression that does not parse) refuses the start here, naming the function and the setting.
    /// </summary>
    public static WebApplicationBuilder AddTimerFunctions(this WebApplicationBuilder builder, FunctionCatalog catalog)
    {
        foreach (var function in catalog.OfKind(TriggerKind.Timer))
        {
            var schedule = TimerSchedule.Of(function, builder.Configuration);
            builder.Services.AddSingleton<IHostedService>(services => ActivatorUtilities.CreateInstance<TimerTriggerListener>(services, function, schedule));
        }

        return builder;
    }

    /// <summary>
    /// Plays App Service Authentication: requests without a principal get the configured development user, with the
    /// configured app roles as role claims (or the roles the developer chose in this browser, <see cref="RolesCookie"/>)
    /// and, when the user's name is an email address, that address (so naming a policy person's address signs in as that
    /// person). The app believes the header only because the dev host's appsettings.json sets
    /// Authentication:EasyAuthEnabled (the dev host listens on localhost only, and its tests sign in as other users, with
    /// other roles, by sending the header themselves).
    /// </summary>
    public static WebApplication UseDevelopmentPrincipal(this WebApplication app, DevHostOptions options)
    {
        if (DevelopmentPrincipal(options) is { } configured)
        {
            app.Use((context, next) =>
            {
                if (!context.Request.Headers.ContainsKey(ClientPrincipal.Header))
                {
                    context.Request.Headers[ClientPrincipal.Header] = ChosenRoles(context.Request) is { } roles
                        ? DevelopmentPrincipal(options, roles)
                        : configured;
                }

                return next(context);
            });
        }

        return app;
    }

    /// <summary>The cookie holding the app roles a developer chose for the console in their browser ("none" for none).</summary>
    public const string RolesCookie = "devhost-roles";

    /// <summary>The dev host's own route (not a function, so never in Azure) that sets <see cref="RolesCookie"/>.</summary>
    public const string RolesPath = "/devhost/roles";

    /// <summary>
    /// Lets a developer see the console as another role without restarting: <c>/devhost/roles?as=viewer</c> (several
    /// comma-separated, or <c>none</c> for a sign-in without a role, which gets Access:DefaultRole) keeps that choice
    /// in a cookie of this browser and opens the console; <c>?as=</c> goes back to DevHost:Roles. Only the development
    /// principal reads it: a request that brings its own principal keeps it, and with DevHost:Principal empty there is
    /// nobody to give the roles to, so the route is not there.
    /// </summary>
    public static WebApplication MapDevelopmentRoles(this WebApplication app, DevHostOptions options)
    {
        if (DevelopmentPrincipal(options) is null)
        {
            return app;
        }

        app.MapGet(RolesPath, (HttpContext context, string? @as) =>
        {
            if (string.IsNullOrWhiteSpace(@as))
            {
                context.Response.Cookies.Delete(RolesCookie);
            }
            else if (RolesOf(@as) is not null)
            {
                context.Response.Cookies.Append(RolesCookie, @as, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });
            }
            else
            {
                return Results.BadRequest($"'{@as}' is not a list of app roles: use viewer, responder, commander, admin (comma-separated) or none.");
            }

            return Results.Redirect(WebConsole.ConsolePaths.Incidents);
        });
        return app;
    }

    /// <summary>The header the dev host signs requests in with, or null when <see cref="DevHostOptions.Principal"/> is empty.</summary>
    public static string? DevelopmentPrincipal(DevHostOptions options, IReadOnlyList<string>? roles = null)
    {
        if (string.IsNullOrWhiteSpace(options.Principal))
        {
            return null;
        }

        roles ??= (options.Roles ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var email = MailAddress.TryCreate(options.Principal, out var address) && address.Address == options.Principal ? options.Principal : null;
        return ClientPrincipal.Encode(options.Principal, "devhost", roles, email);
    }

    /// <summary>The roles in this browser's <see cref="RolesCookie"/>, or null without one (or with one naming no app role).</summary>
    static IReadOnlyList<string>? ChosenRoles(HttpRequest request) =>
        request.Cookies.TryGetValue(RolesCookie, out var value) ? RolesOf(value) : null;

    /// <summary>"viewer", "responder,commander", "none" (no role) as role claims; null when any name is not an app role.</summary>
    public static IReadOnlyList<string>? RolesOf(string? value)
    {
        var names = (value ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (names is ["none"])
        {
            return [];
        }

        var roles = names.Select(AppRoles.Parse).ToList();
        return roles.Count > 0 && roles.All(r => r is not null) ? [.. roles.Select(r => AppRoles.ValueOf(r!.Value))] : null;
    }
}
