namespace IncidentFunctions.Model;

/// <summary>A person to notify, as the policy names them.</summary>
public sealed record Recipient(string PersonId, string Name, string Email, string TimeZone);
