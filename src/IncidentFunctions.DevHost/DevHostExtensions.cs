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
    /// Plays App Service Authentication: requests without a principal get the configured development user. The app
    /// believes the header only because the dev host's appsettings.json sets Authentication:EasyAuthEnabled (the dev
    /// host listens on localhost only, and its tests sign in as other users by sending the header themselves).
    /// </summary>
    public static WebApplication UseDevelopmentPrincipal(this WebApplication app, string? principal)
    {
        if (!string.IsNullOrWhiteSpace(principal))
        {
            var encoded = ClientPrincipal.Encode(principal, "devhost");
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
}
