namespace IncidentFunctions.Model;

/// <summary>Who a status update is for: the people working the incident, or the stakeholders the policy names.</summary>
public enum UpdateAudience
{
    Internal,
    Stakeholders,
}
