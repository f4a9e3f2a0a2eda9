namespace IncidentFunctions.Model;

/// <summary>Who may see an incident: everyone who may read incidents, or (restricted) only its participants, people
/// granted access, and admins.</summary>
public enum Visibility
{
    Standard,

    /// <summary>Security, HR, legal: every other caller is told it does not exist.</summary>
    Restricted,
}
