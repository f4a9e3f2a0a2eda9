using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace IncidentFunctions.Notifications;

/// <summary>Sends through any SMTP server (MailDev locally, a relay or a provider's SMTP endpoint elsewhere).</summary>
internal sealed class SmtpEmailSender(IOptions<EmailOptions> options, ILogger<SmtpEmailSender> logger) : IEmailSender
{
    public async Task SendAsync(EmailMessage message, CancellationToken ct)
    {
        // EmailOptionsValidator has made sure of the settings used with '!' here.
        var email = options.Value;
        var smtp = email.Smtp;
        var mime = ToMime(message, new MailboxAddress(email.FromName, email.From!));

        // A connection per send: MailKit's SmtpClient is not thread-safe, so sharing one would need a pool, and a
        // notification goes to a few people per escalation step, which a fresh connection handles easily.
        using var client = new SmtpClient();
        await client.ConnectAsync(smtp.Host!, smtp.Port, ToMailKit(smtp.Security), ct);
        if (!string.IsNullOrEmpty(smtp.UserName))
        {
            await client.AuthenticateAsync(smtp.UserName, smtp.Password!, ct);
        }

        try
        {
            await client.SendAsync(mime, ct);
        }
        catch (SmtpCommandException e) when ((int)e.StatusCode >= 500)
        {
            throw new EmailRejectedException($"The SMTP server refused the message for good ({(int)e.StatusCode} {e.ErrorCode}): {e.Message}", e);
        }

        await client.DisconnectAsync(quit: true, ct);
        logger.LogInformation("Email {IdempotencyKey} handed to SMTP server {SmtpHost}:{SmtpPort}", message.IdempotencyKey, smtp.Host, smtp.Port);
    }

    static MimeMessage ToMime(EmailMessage message, MailboxAddress from)
    {
        var mime = new MimeMessage
        {
            Subject = message.Subject,

            // The same key on every retry, so a duplicate delivery is recognisable as one message.
            MessageId = $"{message.IdempotencyKey:N}@incidentfunctions",
            Body = new BodyBuilder { TextBody = message.PlainText, HtmlBody = message.Html }.ToMessageBody(),
        };
        mime.From.Add(from);
        mime.To.Add(new MailboxAddress(message.To.DisplayName, message.To.Address));
        foreach (var (name, value) in message.Headers)
        {
            mime.Headers.Add(name, value);
        }

        return mime;
    }

    static SecureSocketOptions ToMailKit(SmtpSecurity security) => security switch
    {
        SmtpSecurity.None => SecureSocketOptions.None,
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        SmtpSecurity.Auto => SecureSocketOptions.Auto,
        _ => throw new ArgumentOutOfRangeException(nameof(security), security, null),
    };
}
