namespace IncidentFunctions.WebConsole;

/// <summary>The paths a page links and posts to, built from <see cref="Routes"/> so that no page spells a route.</summary>
public static class ConsolePaths
{
    public static string Incidents => Of(Routes.Console);

    public static string Declare => Of(Routes.ConsoleDeclare);

    public static string Dashboard => Of(Routes.ConsoleDashboard);

    /// <summary>The incidents list's live part, which its poll asks for.</summary>
    public static string IncidentRows => Of(Routes.ConsoleIncidentRows);

    /// <summary>An incident's console page with <c>{id}</c> left in, for a script to fill from an answer's Location.</summary>
    public static string IncidentTemplate => Of(Routes.ConsoleIncident);

    public static string Incident(string id) => Of(Routes.ConsoleIncident, ("id", id));

    /// <summary>An API route for a form to call, e.g. <c>Api(Routes.IncidentAcknowledge, ("id", id))</c>.</summary>
    public static string Api(string route, params (string Name, string Value)[] values) => Of(route, values);

    static string Of(string route, params (string Name, string Value)[] values)
    {
        foreach (var (name, value) in values)
        {
            route = route.Replace("{" + name + "}", Uri.EscapeDataString(value), StringComparison.Ordinal);
        }

        return $"/{Routes.Prefix}/{route}";
    }
}
