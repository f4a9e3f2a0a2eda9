using IncidentFunctions.Model;
using IncidentFunctions.Policy;

namespace IncidentFunctions.WebConsole;

/// <summary>The policy's services, categories and people as the console's pickers offer them (id and name), in file order.</summary>
public sealed class ConsoleChoices(PolicyProvider policy)
{
    public IReadOnlyList<(string Id, string Name)> Services =>
        [.. policy.Current.ServiceIds.Select(id => (id, policy.Current.ServiceName(id) ?? id))];

    public IReadOnlyList<(string Id, string Name)> Categories =>
        [.. policy.Current.Response.Categories.Select(c => (c.Id, c.Name))];

    public IReadOnlyList<Recipient> People => policy.Current.People.Everyone;
}
