using System.Reflection;
using System.Reflection.Emit;
using System.Text.Json;
using IncidentFunctions.DevHost.Functions;
using IncidentFunctions.DevHost.Local;
using IncidentFunctions.Functions;
using IncidentFunctions.Lifecycle;
using IncidentFunctions.LifecycleEvents;
using IncidentFunctions.Responding;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.Tests.Unit;

public sealed class FunctionCatalogTests
{
    static readonly FunctionCatalog Catalog = new(typeof(IncidentServices).Assembly);

    /// <summary>
    /// The Worker SDK writes functions.metadata at build time: what the Functions host will index in Azure.
    /// The dev host must host exactly those functions, with the same trigger kinds and routes.
    /// </summary>
    [Fact]
    public void TheDevHostHostsExactlyTheFunctionsTheFunctionsHostIndexes()
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var metadata = Path.Combine(RepositoryPaths.Find().Root, "src", "IncidentFunctions", "bin", configuration, "net10.0", "functions.metadata");
        using var document = JsonDocument.Parse(File.ReadAllText(metadata));
        var indexed = document.RootElement.EnumerateArray()
            .Select(f => (Name: f.GetProperty("name").GetString()!, Trigger: f.GetProperty("bindings")[0]))
            .ToDictionary(f => f.Name, f => f.Trigger);

        Assert.Equal(indexed.Keys.Order(StringComparer.Ordinal), Catalog.Functions.Select(f => f.Name).Order(StringComparer.Ordinal));
        foreach (var function in Catalog.Functions)
        {
            var trigger = indexed[function.Name];
            Assert.Equal(function.Kind.ToString(), trigger.GetProperty("type").GetString()!.Replace("Trigger", string.Empty, StringComparison.Ordinal), ignoreCase: true);
            if (function.Kind == TriggerKind.Http)
            {
                Assert.Equal(function.Http.Route, trigger.GetProperty("route").GetString());
            }

            if (function.Kind == TriggerKind.Timer)
            {
                Assert.Equal(function.Timer.Schedule, trigger.GetProperty("schedule").GetString());
            }
        }
    }

    [Fact]
    public void HttpRoutesAreExactlyTheRouteConstants()
    {
        var routes = Catalog.OfKind(TriggerKind.Http).Select(f => f.Http.Route).Order(StringComparer.Ordinal);

        Assert.Equal(
            new[]
            {
                Routes.Alerts, Routes.PagerDutyEvents, Routes.Incidents, Routes.Incident, Routes.IncidentTimeline,
                Routes.IncidentAcknowledge, Routes.IncidentResolve, Routes.ResponderLink, Routes.ResponderLink, Routes.ApiDocument,

                // Declaring (POST incidents), editing (PATCH incidents/{id}) and running an incident's record.
                Routes.Incidents, Routes.Incident, Routes.IncidentStage, Routes.IncidentSeverity, Routes.IncidentMilestones,
                Routes.IncidentDecline, Routes.IncidentClose,

                // People on an incident, and merging a duplicate.
                Routes.IncidentRoles, Routes.IncidentRoleHolder, Routes.IncidentResponders, Routes.IncidentGrants, Routes.IncidentGrant,
                Routes.IncidentSubscription, Routes.IncidentSubscription, Routes.IncidentMerge,

                // Tasks and the record.
                Routes.IncidentTasks, Routes.IncidentTasks, Routes.IncidentTask, Routes.IncidentNotes, Routes.IncidentUpdates,
                Routes.IncidentDecisions, Routes.IncidentPin, Routes.IncidentPin, Routes.IncidentEvidence, Routes.IncidentEvidenceFile,

                // The web console's pages and its static files.
                Routes.Console, Routes.ConsoleAsset, Routes.ConsoleIncidentRows, Routes.ConsoleDeclare, Routes.ConsoleDashboard,
                Routes.ConsoleIncident, Routes.ConsoleIncidentLive, Routes.ConsoleIncidentTimeline, Routes.ConsoleIncidentOlder,
            }
                .Order(StringComparer.Ordinal),
            routes);
    }

    [Fact]
    public void AlertsAreReceivedByPostAndIncidentsReadByGet()
    {
        var byRoute = Catalog.OfKind(TriggerKind.Http)
            .GroupBy(f => f.Http.Route!)
            .ToDictionary(g => g.Key, g => g.SelectMany(f => f.Http.Methods ?? []).ToArray());

        Assert.Equal(["post"], byRoute[Routes.Alerts]);
        Assert.Equal(["post"], byRoute[Routes.PagerDutyEvents]);
        Assert.Equal(["get", "post"], byRoute[Routes.Incidents].Order());
        Assert.Equal(["get", "patch"], byRoute[Routes.Incident].Order());
        Assert.Equal(["get"], byRoute[Routes.IncidentTimeline]);
        Assert.Equal(["post"], byRoute[Routes.IncidentAcknowledge]);
        Assert.Equal(["post"], byRoute[Routes.IncidentResolve]);
    }

    /// <summary>Mail scanners fetch every link: the function a GET or HEAD reaches must not be the one that acts.</summary>
    [Fact]
    public void ResponderLinksAreShownByGetAndHeadAndActedOnOnlyByPost()
    {
        var byName = Catalog.OfKind(TriggerKind.Http)
            .Where(f => f.Http.Route == Routes.ResponderLink)
            .ToDictionary(f => f.Name, f => f.Http.Methods ?? []);

        Assert.Equal(["get", "head"], byName[nameof(ResponderLinkFunctions.ShowResponderLink)]);
        Assert.Equal(["post"], byName[nameof(ResponderLinkFunctions.SubmitResponderLink)]);
        Assert.Equal(2, byName.Count);
    }

    [Fact]
    public void QueueFunctionListensOnTheAlertsQueue()
    {
        var queue = Assert.Single(Catalog.OfKind(TriggerKind.Queue));

        Assert.Equal(QueueNames.Alerts, queue.Queue.QueueName);
        Assert.Equal(ConnectionNames.Storage, queue.Queue.Connection);
    }

    /// <summary>The schedule is a setting (so a test can run housekeeping every second), and a restart never runs it early.</summary>
    [Fact]
    public void HousekeepingsAreTheTimerFunctionsAndRunOnTheirScheduleSettingNotOnStartup()
    {
        var timers = Catalog.OfKind(TriggerKind.Timer).ToList();

        Assert.Equal([nameof(HousekeepingFunctions.PurgeExpiredRequests), nameof(HousekeepingFunctions.PurgeFinishedHistory)], timers.Select(t => t.Name).Order());
        Assert.All(timers, timer =>
        {
            Assert.Equal(Schedules.Housekeeping, timer.Timer.Schedule);
            Assert.Equal("%Housekeeping:Schedule%", timer.Timer.Schedule);
            Assert.False(timer.Timer.RunOnStartup);
        });
    }

    [Fact]
    public void TheOrchestrationsArePagingAndCoordination()
    {
        var orchestrations = Catalog.OfKind(TriggerKind.Orchestration).Select(f => f.Name);

        Assert.Equal(["CoordinationOrchestrator", "IncidentOrchestrator"], orchestrations.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EveryActivityTheOrchestrationCallsIsRegistered()
    {
        var activities = Catalog.OfKind(TriggerKind.Activity).Select(f => f.Name).Order(StringComparer.Ordinal);

        Assert.Equal(
            new[]
            {
                nameof(LifecycleActivities.BeginIncident), nameof(LifecycleActivities.ReadIncidentState),
                nameof(LifecycleActivities.RetriggerIncident), nameof(LifecycleActivities.ResolveFromSource), nameof(LifecycleActivities.AppendTimeline),
                nameof(LifecycleActivities.NotifyRecipients), nameof(LifecycleActivities.PageIfOpen), nameof(LifecycleEventActivities.PublishLifecycleEvent),
                nameof(CoordinationActivities.DeliverChange), nameof(CoordinationActivities.Remind), CoordinationActivityNames.RemindUnfilledRoles,
            }.Order(StringComparer.Ordinal),
            activities);
    }

    [Fact]
    public void EveryFunctionNameIsUnique()
    {
        var names = Catalog.Functions.Select(f => f.Name).ToList();

        Assert.NotEmpty(names);
        Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    /// <summary>
    /// A function whose trigger the dev host cannot host stops it at start, named, instead of being left out: the dev
    /// host would otherwise run less than the Functions host indexes, and nobody would notice until it mattered.
    /// </summary>
    [Fact]
    public void AFunctionWithATriggerTheDevHostDoesNotHostIsRefusedByName()
    {
        var error = Assert.Throws<NotSupportedException>(() => new FunctionCatalog(AssemblyWithBlobFunction()));

        Assert.Contains("OnUpload", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(BlobTriggerAttribute), error.Message, StringComparison.Ordinal);
    }

    /// <summary>Orchestrations call activities by nameof(method): a function named otherwise would never be found.</summary>
    [Fact]
    public void EveryFunctionIsNamedAfterItsMethod()
    {
        Assert.All(Catalog.Functions, f => Assert.Equal(f.Method.Name, f.Name));
    }

    [Fact]
    public void FunctionsAreListedByName()
    {
        var names = Catalog.Functions.Select(f => f.Name).ToList();

        Assert.Equal(names.Order(StringComparer.Ordinal), names);
    }

    /// <summary>
    /// An assembly with one function, "OnUpload", on a blob trigger. Built at run time so that no [Function] the
    /// Functions SDK could pick up is compiled into the test assembly.
    /// </summary>
    static Assembly AssemblyWithBlobFunction()
    {
        var assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("BlobFunctions"), AssemblyBuilderAccess.Run);
        var type = assembly.DefineDynamicModule("BlobFunctions").DefineType("BlobFunctions", TypeAttributes.Public | TypeAttributes.Abstract | TypeAttributes.Sealed);
        var method = type.DefineMethod("OnUpload", MethodAttributes.Public | MethodAttributes.Static, typeof(void), [typeof(object)]);
        method.SetCustomAttribute(new CustomAttributeBuilder(typeof(FunctionAttribute).GetConstructor([typeof(string)])!, ["OnUpload"]));
        method.DefineParameter(1, ParameterAttributes.None, "blob")
            .SetCustomAttribute(new CustomAttributeBuilder(typeof(BlobTriggerAttribute).GetConstructor(Type.EmptyTypes)!, []));
        method.GetILGenerator().Emit(OpCodes.Ret);
        type.CreateType();
        return assembly;
    }

    /// <summary>Stands in for the Functions worker's blob trigger, which the app does not reference.</summary>
    [AttributeUsage(AttributeTargets.Parameter)]
    public sealed class BlobTriggerAttribute : Attribute;
}
