using System.Net.Mail;
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
    /// configured app roles as role claims and, when the user's name is an email address, that address (so naming a
    /// policy person's address signs in as that person). The app believes the header only because the dev host's
    /// appsettings.json sets Authentication:EasyAuthEnabled (the dev host listens on localhost only, and its tests sign
    /// in as other users, with other roles, by sending the header themselves).
    /// </summary>
    public static WebApplication UseDevelopmentPrincipal(this WebApplication app, DevHostOptions options)
    {
        if (DevelopmentPrincipal(options) is { } encoded)
        {
            app.Use((context, next) =>
            {
                if (!context.Request.Headers.ContainsKey(ClientPrincipal.Header))
                {
                    context.Request.Headers[ClientPrincipal.Header] = encoded;
                }

                return next(context);
            });
        }

        return app;
    }

    /// <summary>The header the dev host signs requests in with, or null when <see cref="DevHostOptions.Principal"/> is empty.</summary>
    public static string? DevelopmentPrincipal(DevHostOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Principal))
        {
            return null;
        }

        var roles = (options.Roles ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var email = MailAddress.TryCreate(options.Principal, out var address) && address.Address == options.Principal ? options.Principal : null;
        return ClientPrincipal.Encode(options.Principal, "devhost", roles, email);
    }
}
