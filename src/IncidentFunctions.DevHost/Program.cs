using IncidentFunctions;
using IncidentFunctions.DevHost;
using IncidentFunctions.DevHost.Functions;
using IncidentFunctions.DevHost.Local;
using IncidentFunctions.Policy;
using IncidentFunctions.Storage;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;

// The local dev host: the app's own function classes on http://localhost:7071/api, like `func start`, for machines
// without Azure Functions Core Tools. See README "Run locally".
var repository = RepositoryPaths.Find();
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddLocalSettings(repository);
var options = builder.Configuration.GetSection(DevHostOptions.Section).Get<DevHostOptions>() ?? new DevHostOptions();
var paths = repository.WithState(options.DataFolder);
var demoKey = builder.Configuration.AddDemoIntegration(paths, options);
builder.Configuration.AddLocalLifecycleDefaults(paths, options);

var catalog = new FunctionCatalog(typeof(IncidentServices).Assembly);
using var startupLogs = LoggerFactory.Create(logging => logging.AddSimpleConsole(o => o.SingleLine = true));
LocalStack started;
TimeSpan warmUpLimit;
try
{
    warmUpLimit = options.DurableWarmUpLimit;
    // A timer function whose schedule cannot run refuses the start before Azurite and MailDev start for nothing.
    builder.AddTimerFunctions(catalog);
    started = await LocalStack.StartIfNeededAsync(builder.Configuration, paths, options, startupLogs.CreateLogger("DevHost"));
}
catch (DevHostStartException refused)
{
    // A reason the developer can act on (a port or the data folder taken, a tool that would not start): the message
    // alone, as a stack trace would bury it.
    Console.Error.WriteLine(refused.Message);
    return 1;
}

await using var localTools = started;

var hostJson = HostJson.Load(paths.HostJson, builder.Configuration);
var grpcSocket = DurableFunctions.SocketPath(Environment.ProcessId);
File.Delete(grpcSocket);

builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.ListenLocalhost(options.Port);
    kestrel.ListenUnixSocket(grpcSocket, listen => listen.Protocols = HttpProtocols.Http2);
});
// Stop everything at once: the Durable worker's open gRPC stream would otherwise hold Kestrel's shutdown for 30 s.
builder.Services.Configure<HostOptions>(host => host.ServicesStopConcurrently = true);
// One meter for the app's storage clients and the Durable provider's: the totals printed on stop cover both.
using var storageRequests = new StorageRequestMeter();
builder.Services.AddSingleton(storageRequests);
builder.Services.AddIncidentServices(builder.Configuration);
builder.AddDurableFunctions(catalog, hostJson.Durable, grpcSocket, storageRequests);
builder.AddQueueFunctions(catalog, hostJson.Queues);

var app = builder.Build();
app.UseDevelopmentPrincipal(options);
app.MapDevelopmentRoles(options);
app.MapGrpcService<TaskHubGrpcServer>();
app.MapHttpFunctions(catalog);
// Ready once the Durable path has run once (it needs the gRPC server above listening, so it runs after the start).
app.Lifetime.ApplicationStarted.Register(() => _ = Task.Run(async () =>
{
    var warmed = await DurableWarmUp.RunAsync(app.Services.GetRequiredService<DurableTaskClient>(), app.Logger, warmUpLimit, app.Lifetime.ApplicationStopping);
    Banner.Print(
        app.Logger, options, paths, catalog, localTools, app.Services.GetRequiredService<PolicyProvider>().Current, demoKey, hostJson.Durable.HubName, warmed);
}));
app.Lifetime.ApplicationStopping.Register(localTools.Stopping);
app.Lifetime.ApplicationStopped.Register(() => Banner.PrintStorageRequests(storageRequests));
await app.RunAsync();
File.Delete(grpcSocket);
return 0;
