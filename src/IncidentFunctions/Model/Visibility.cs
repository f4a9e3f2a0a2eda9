namespace IncidentFunctions.Model;

/// <summary>Who may see an incident: everyone who may read incidents, or only its participants, grantees and admins.</summary>
public enum Visibility
{
    Standard,
    Restricted,
}
