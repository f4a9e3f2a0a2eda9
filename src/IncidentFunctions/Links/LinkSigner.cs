namespace IncidentFunctions.Links;

// STUB (contract only): the links helper replaces this file.
/// <summary>Creates and checks the signed acknowledge/resolve links that emails carry.</summary>
public sealed class LinkSigner
{
    /// <summary>The recipient's link for the action; it expires after the configured lifetime (24 h by default).</summary>
    public Uri CreateUrl(string incidentId, string recipientId, LinkAction action) => throw new NotImplementedException();

    /// <summary>Where a responder reads the incident.</summary>
    public Uri IncidentUrl(string incidentId) => throw new NotImplementedException();
}
