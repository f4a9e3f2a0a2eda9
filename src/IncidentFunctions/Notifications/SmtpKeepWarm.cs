using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Notifications;

/// <summary>
/// With the SMTP transport, opens connections when the app starts and keeps <see cref="SmtpConnections.KeptOpen"/> open
/// (a NOOP every <see cref="Interval"/>), so that the first pages after a quiet night do not wait for the server's
/// greeting, and says in the log when the server stops answering: a pager should learn that its email is broken before
/// it pages.
/// </summary>
internal sealed partial class SmtpKeepWarm(IOptions<EmailOptions> options, SmtpConnections connections, ILogger<SmtpKeepWarm> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(60);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Transport != EmailTransport.Smtp)
        {
            return;
        }

        var answering = true;
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                await connections.KeepOpenAsync(stoppingToken);
                if (!answering)
                {
                    LogAnswering(logger, options.Value.Smtp.Host, options.Value.Smtp.Port);
                }

                answering = true;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                if (answering)
                {
                    LogNotAnswering(logger, options.Value.Smtp.Host, options.Value.Smtp.Port, e.GetType().Name, e.Message);
                }

                answering = false;
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "SMTP server {SmtpHost}:{SmtpPort} does not answer ({Error}: {Reason}); pages will fail until it does")]
    static partial void LogNotAnswering(ILogger logger, string? smtpHost, int smtpPort, string error, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "SMTP server {SmtpHost}:{SmtpPort} answers again")]
    static partial void LogAnswering(ILogger logger, string? smtpHost, int smtpPort);
}
