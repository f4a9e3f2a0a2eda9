using System.Reflection;
using System.Text.RegularExpressions;
using IncidentFunctions.DevHost.Local;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.Tests.Unit;

/// <summary>
/// The app's folders and the one direction their dependencies point in (docs/architecture.md draws it). Each folder is
/// a namespace; a folder may use only the folders listed for it here. A new folder, or a new dependency, fails these
/// tests until this table says where it belongs, so the layout cannot drift into cycles one convenient import at a time.
/// </summary>
public sealed partial class ArchitectureTests
{
    static readonly string App = Path.Combine(RepositoryPaths.Find().Root, "src", "IncidentFunctions");

    /// <summary>
    /// Bottom to top. The root files (names, limits, JSON settings) are below every folder and use none. Internal so
    /// that a test can hold the picture in docs/architecture.md to it.
    /// </summary>
    internal static readonly Dictionary<string, string[]> Allowed = new()
    {
        // What an incident, an alert and a timeline event are. Uses nothing: everything else is written in its words.
        ["Model"] = [],
        // Reading JSON fields by one set of rules.
        ["Validation"] = [],
        // The storage account: connection, start-up bootstrap, request counting.
        ["Storage"] = [],
        ["Http"] = ["Model", "Validation"],
        ["Policy"] = ["Model", "Validation"],
        // Who the caller is (app roles, the policy person) and what they may do: the one access decision.
        ["Access"] = ["Http", "Incidents", "Model", "Policy"],
        ["Notifications"] = ["Model"],
        // The rules of a response: stages, milestones, severity time, tasks, playbooks, roles, update cadence, reminders.
        // Pure decisions, no I/O.
        ["Coordination"] = ["Model", "Policy"],
        // The incident store (incidents, index, alert keys, alerts, notification claims) and the timeline store.
        ["Incidents"] = ["Model"],
        ["Timeline"] = ["Incidents", "Model"],
        // Signed responder links.
        ["Links"] = ["Incidents", "Model"],
        // Emailing a notification to each recipient once.
        ["Paging"] = ["Incidents", "Links", "Model", "Notifications", "Policy", "Timeline"],
        // The one owner of opening an incident.
        ["Opening"] = ["Incidents", "Model", "Paging", "Policy", "Timeline"],
        // Lifecycle CloudEvents on Service Bus.
        ["LifecycleEvents"] = ["Incidents", "Links", "Model"],
        // The incident's orchestration, its activities, and the responder who acknowledges and resolves.
        ["Lifecycle"] = ["Coordination", "Incidents", "LifecycleEvents", "Model", "Opening", "Paging", "Policy", "Timeline"],
        // Alerts in: formats, signatures, the intake, deduplication and counting. Opens incidents only through Opening.
        ["Ingestion"] = ["Http", "Incidents", "Lifecycle", "Model", "Opening", "Paging", "Timeline", "Validation"],
        // People's changes to an incident (read, decide by a Coordination rule, write with the ETag, record), declaring,
        // tasks, evidence, and the coordination orchestration that publishes the changes and sends reminders.
        ["Responding"] = ["Access", "Coordination", "Http", "Incidents", "Lifecycle", "LifecycleEvents", "Links", "Model", "Notifications", "Opening", "Paging", "Policy", "Timeline", "Validation"],
        // The web console: pages rendered from Razor components, their sign-in, and the assets they load. Reads the stores
        // and asks Access, as the API does; changes go through the API's routes, which its forms call. Its forms offer
        // what Coordination's rules allow next and take the limits of Responding's request readers, never copies of them.
        // Also the emailed links' pages (a verified link, an acknowledgement's outcome), in the same look without a script.
        ["WebConsole"] = ["Access", "Coordination", "Http", "Incidents", "Lifecycle", "Links", "Model", "Policy", "Responding", "Timeline"],
        // Upkeep: purging finished orchestrations' history and expired idempotency records, out of the way of late pages.
        ["Housekeeping"] = ["Http", "Paging"],
        // The OpenAPI document, generated from the HTTP functions and their types; it names the credentials of the routes.
        ["ApiDescription"] = ["Http", "Ingestion", "Links"],
        // The HTTP, queue and timer triggers: bind, call one feature, map the result. Nothing uses them.
        ["Functions"] = ["Access", "ApiDescription", "Coordination", "Housekeeping", "Http", "Incidents", "Ingestion", "Lifecycle", "Links", "Model", "Responding", "Timeline", "WebConsole"],
    };

    /// <summary>The composition root: it registers every folder's services, so it may use them all.</summary>
    static readonly string[] CompositionRoot = ["IncidentServices.cs", "Program.cs"];

    static IEnumerable<string> Folders => Directory.GetDirectories(App)
        .Select(Path.GetFileName)
        .Where(name => name is not ("bin" or "obj"))!;

    /// <summary>The folders a source file uses: by a using directive, or by a name qualified with a folder.</summary>
    static HashSet<string> UsedBy(string file)
    {
        var code = Comment().Replace(File.ReadAllText(file), string.Empty);
        var used = UsingDirective().Matches(code).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value).ToHashSet();
        foreach (var folder in Folders)
        {
            if (Regex.IsMatch(code, $@"(?<![\w.]){folder}\.[A-Z]") && !Regex.IsMatch(code, $@"namespace IncidentFunctions\.{folder};"))
            {
                used.Add(folder);
            }
        }

        return used;
    }

    static string FolderOf(string file) => Path.GetRelativePath(App, file).Split(Path.DirectorySeparatorChar)[0];

    // Razor components (@using IncidentFunctions.X) count as source: the regex reads their directives too.
    static IEnumerable<string> SourceFiles(string directory) =>
        Directory.EnumerateFiles(directory, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"));

    [Fact]
    public void EveryFolderIsInTheTableAndTheTableNamesOnlyFoldersThatExist()
    {
        Assert.Equal(Allowed.Keys.Order(), Folders.Order());
        Assert.All(Allowed.Values.SelectMany(v => v), used => Assert.Contains(used, Allowed.Keys));
    }

    [Fact]
    public void EachFolderUsesOnlyTheFoldersBelowIt()
    {
        var violations = Folders
            .SelectMany(folder => SourceFiles(Path.Combine(App, folder))
                .SelectMany(file => UsedBy(file)
                    .Where(used => used != folder && !Allowed[folder].Contains(used))
                    .Select(used => $"{Path.GetRelativePath(App, file)} uses {used}")))
            .ToList();

        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public void TheRootFilesOtherThanTheCompositionRootUseNoFolder()
    {
        var violations = Directory.GetFiles(App, "*.cs")
            .Where(f => !CompositionRoot.Contains(Path.GetFileName(f)))
            .SelectMany(file => UsedBy(file).Select(used => $"{Path.GetFileName(file)} uses {used}"))
            .ToList();

        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public void TheDependenciesHaveNoCycle()
    {
        // Kahn's algorithm: a folder is placed once everything it uses is placed; whatever is never placed is in a cycle.
        var placed = new List<string>();
        var left = Allowed.ToDictionary(p => p.Key, p => p.Value.ToHashSet());
        while (left.Keys.FirstOrDefault(f => left[f].All(placed.Contains)) is { } next)
        {
            placed.Add(next);
            left.Remove(next);
        }

        Assert.Empty(left.Keys);
    }

    [Fact]
    public void OnlyTheOpenerCreatesIncidents()
    {
        // Claiming a key and creating its incident are the opening's first steps; nobody else may take them.
        var creators = SourceFiles(App)
            .Where(f => Regex.IsMatch(File.ReadAllText(f), @"\.(TryClaimKeyAsync|TryCreateAsync)\("))
            .Select(f => Path.GetRelativePath(App, f))
            .ToList();

        Assert.Equal([Path.Combine("Opening", "IncidentOpener.cs")], creators);
    }

    [Fact]
    public void HttpQueueAndTimerTriggersLiveInFunctionsAndNothingElseDoes()
    {
        var triggered = typeof(IncidentServices).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.GetParameters().Any(p => p.GetCustomAttributes().Any(a => a is HttpTriggerAttribute or QueueTriggerAttribute or TimerTriggerAttribute)))
            .Select(m => m.DeclaringType!)
            .Distinct()
            .ToList();
        // And the functions there are HTTP, queue and timer triggers only: orchestrations and activities are features' own.
        var inFunctions = typeof(IncidentServices).Assembly.GetTypes()
            .Where(t => t.Namespace == "IncidentFunctions.Functions" && t.GetMethods().Any(m => m.GetCustomAttribute<FunctionAttribute>() is not null))
            .ToList();

        Assert.NotEmpty(triggered);
        Assert.All(triggered, t => Assert.Equal("IncidentFunctions.Functions", t.Namespace));
        Assert.Equal(inFunctions.OrderBy(t => t.Name), triggered.OrderBy(t => t.Name));
    }

    [Fact]
    public void TheDependencyCheckSeesEveryFormOfUsingAndQualifiedNames()
    {
        // The check itself: a file that names a folder without a using is still caught.
        var file = Path.Combine(Path.GetTempPath(), $"arch-{Guid.NewGuid():N}.cs");
        File.WriteAllText(file, "global using IncidentFunctions.Paging;\nusing static IncidentFunctions.Policy.PolicyParser;\nusing Pager = IncidentFunctions.Lifecycle.IncidentOrchestration;\n" +
            "namespace IncidentFunctions.Model;\n// Opening.IncidentOpener in a comment is no use\nsealed class X { Ingestion.AlertProcessor? p; IncidentFunctions.Functions.AlertFunctions? f; }\n");
        try
        {
            Assert.Equal(["Functions", "Ingestion", "Lifecycle", "Paging", "Policy"], UsedBy(file).Order());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [GeneratedRegex(@"//[^\n]*|/\*[\s\S]*?\*/")]
    private static partial Regex Comment();

    // using X; global using X; using static X.Y; using Alias = X.Y; and a name written out in full.
    [GeneratedRegex(@"^@?(?:global )?using (?:static )?(?:\w+ = )?IncidentFunctions\.(\w+)|(?<!namespace )\bIncidentFunctions\.(\w+)\.", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();
}
