namespace IncidentFunctions.Notifications;

// STUB (contract only): the email helper replaces this file.
/// <summary>Renders notification emails (subject, plain text, HTML) for one recipient.</summary>
public static class IncidentEmails
{
    public static EmailMessage Render(NotificationEmail notification) => throw new NotImplementedException();
}
