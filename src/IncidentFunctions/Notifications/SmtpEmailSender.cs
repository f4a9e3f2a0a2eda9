using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace IncidentFunctions.Notifications;

/// <summary>Sends through any SMTP server (MailDev locally, a relay or a provider's SMTP endpoint elsewhere).</summary>
internal sealed class SmtpEmailSender(IOptions<EmailOptions> options, SmtpConnections connections, ILogger<SmtpEmailSender> logger) : IEmailSender
{
    public async Task SendAsync(EmailMessage message, CancellationToken ct)
    {
        var email = options.Value;
        var mime = ToMime(message, new MailboxAddress(email.FromName, email.From!));

        // A kept connection the server has closed meanwhile fails on its first command: once, the message goes again on
        // a new connection. A failure on a new connection goes to the caller, as it always did.
        while (true)
        {
            var connection = await connections.RentAsync(ct);
            try
            {
                await connection.Client.SendAsync(mime, ct);
            }
            catch (SmtpCommandException e) when ((int)e.StatusCode >= 500)
            {
                SmtpConnections.Discard(connection);
                throw new EmailRejectedException($"The SMTP server refused the message for good ({(int)e.StatusCode} {e.ErrorCode}): {e.Message}", e);
            }
            catch (Exception e) when (connection.Reused && IsConnectionLost(e))
            {
                SmtpConnections.Discard(connection);
                continue;
            }
            catch
            {
                SmtpConnections.Discard(connection);
                throw;
            }

            connections.Return(connection);
            logger.LogInformation("Email {IdempotencyKey} handed to SMTP server {SmtpHost}:{SmtpPort}", message.IdempotencyKey, email.Smtp.Host, email.Smtp.Port);
            return;
        }
    }

    /// <summary>
    /// What <see cref="SmtpClient.SendAsync(MimeMessage, CancellationToken, ITransferProgress)"/> does with the message
    /// besides talking to the server: chooses each part's transfer encoding, measures the message for SIZE and writes it.
    /// </summary>
    public async Task RehearseAsync(EmailMessage message, CancellationToken ct)
    {
        var mime = ToMime(message, new MailboxAddress(options.Value.FromName, options.Value.From!));
        mime.Prepare(EncodingConstraint.EightBit);
        mime.WriteTo(FormatOptions.Default, Stream.Null, ct);
        await mime.WriteToAsync(FormatOptions.Default, Stream.Null, ct);
    }

    /// <summary>What a connection the server closed while it sat idle fails with (421 is the server closing it).</summary>
    static bool IsConnectionLost(Exception e) => e is IOException or ServiceNotConnectedException or SmtpProtocolException
        || e is SmtpCommandException { StatusCode: SmtpStatusCode.ServiceNotAvailable };

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
}
