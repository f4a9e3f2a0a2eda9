namespace IncidentFunctions.Notifications;

/// <summary>
/// The transport refused this message for good (an SMTP 5xx reply, an ACS 4xx other than 408 and 429): sending it again
/// would be refused again, so a retry policy should stop. Every other exception from <see cref="IEmailSender"/> is
/// worth retrying later.
/// </summary>
public sealed class EmailRejectedException(string message, Exception? innerException = null)
    : Exception(message, innerException);
