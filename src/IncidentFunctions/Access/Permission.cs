namespace IncidentFunctions.Access;

/// <summary>What a route needs. Each is held from one app role up (<see cref="Permissions.LeastRole"/>).</summary>
public enum Permission
{
    Read,
    Respond,
    Command,
    Administer,
}

public static class Permissions
{
    /// <summary>The lowest app role that holds the permission; every higher role holds it too.</summary>
    public static AppRole LeastRole(this Permission permission) => permission switch
    {
        Permission.Read => AppRole.Viewer,
        Permission.Respond => AppRole.Responder,
        Permission.Command => AppRole.Commander,
        _ => AppRole.Admin,
    };

    /// <summary>The permission's name as refusals and the docs spell it.</summary>
    public static string NameOf(this Permission permission) => permission.ToString().ToLowerInvariant();
}
