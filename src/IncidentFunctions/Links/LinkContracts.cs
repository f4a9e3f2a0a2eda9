namespace IncidentFunctions.Links;

/// <summary>What an emailed link lets its recipient do. The lower-case name is the route segment.</summary>
public enum LinkAction
{
    Acknowledge,
    Resolve,
}
