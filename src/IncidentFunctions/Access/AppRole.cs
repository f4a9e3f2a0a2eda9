namespace IncidentFunctions.Access;

/// <summary>
/// The app's roles, as the Entra app registration's app roles name them (the values of the principal's role claims).
/// Ordered: each includes everything the ones before it may do.
/// </summary>
public enum AppRole
{
    /// <summary>Reads incidents and their timelines.</summary>
    Viewer,

    /// <summary>Also acknowledges and resolves; later declares, writes notes, tasks, updates and evidence.</summary>
    Responder,

    /// <summary>Also changes severity and stage, assigns roles, merges, declines, closes and grants access.</summary>
    Commander,

    /// <summary>Everything, and every restricted incident.</summary>
    Admin,
}

public static class AppRoles
{
    /// <summary>The claim value of each role: its name in lower case, as the app registration spells it.</summary>
    public static string ValueOf(AppRole role) => role.ToString().ToLowerInvariant();

    /// <summary>A role claim's value in any case; null for a value that names none of the app's roles.</summary>
    public static AppRole? Parse(string? value)
    {
        foreach (var role in Enum.GetValues<AppRole>())
        {
            if (string.Equals(ValueOf(role), value?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return role;
            }
        }

        return null;
    }
}
