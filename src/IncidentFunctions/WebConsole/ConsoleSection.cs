namespace IncidentFunctions.WebConsole;

/// <summary>Which of the bar's pages a page belongs to, so the bar marks it as the current one.</summary>
public enum ConsoleSection
{
    None,
    Incidents,
    Declare,
    Dashboard,
}
