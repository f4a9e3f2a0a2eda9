using Azure.Messaging.ServiceBus;
using IncidentFunctions.LifecycleEvents;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Tests.Unit;

public sealed class LifecycleEventOptionsTests
{
    /// <summary>As the deployment sets them (app settings spell levels with "__").</summary>
    static readonly Dictionary<string, string?> Enabled = new()
    {
        ["IncidentEvents__Enabled"] = "true",
        ["IncidentEvents__FullyQualifiedNamespace"] = "incidents-prod.servicebus.windows.net",
        ["IncidentEvents__Topic"] = "incident-events",
        ["IncidentEvents__ManagedIdentityClientId"] = "6f1c2b9e-53a4-4f0e-9d3c-2a7b8e1f4c55",
    };

    static ServiceProvider Services(Dictionary<string, string?> settings, params (string Key, string? Value)[] changes) =>
        StartupSettings.Services((services, configuration) => services.AddLifecycleEvents(configuration), settings, changes);

    static string StartupFailure(Dictionary<string, string?> settings, params (string Key, string? Value)[] changes)
    {
        using var services = Services(settings, changes);
        return StartupSettings.Failure(services);
    }

    [Fact]
    public async Task EventsAreOffByDefaultAndThenNothingIsPublished()
    {
        await using var services = Services([]);
        services.GetRequiredService<IStartupValidator>().Validate();

        var options = services.GetRequiredService<IOptions<LifecycleEventOptions>>().Value;
        Assert.False(options.Enabled);
        Assert.Null(options.Plan);
        Assert.Equal("incident-events", options.Topic);
        Assert.IsType<DisabledLifecycleEventPublisher>(services.GetRequiredService<ILifecycleEventPublisher>());
    }

    /// <summary>Builds the real client and sender (neither connects until the first send).</summary>
    [Fact]
    public async Task TheDeploymentSettingsSendToTheNamedTopicOfTheNamedNamespace()
    {
        await using var services = Services(Enabled, ("IncidentEvents__Topic", "ops/incidents"));
        services.GetRequiredService<IStartupValidator>().Validate();

        Assert.IsType<ServiceBusLifecycleEventPublisher>(services.GetRequiredService<ILifecycleEventPublisher>());
        var sender = services.GetRequiredService<ServiceBusSender>();
        Assert.Equal("incidents-prod.servicebus.windows.net", sender.FullyQualifiedNamespace);
        Assert.Equal("ops/incidents", sender.EntityPath);
        Assert.Equal(new EventPublishingPlan(8, TimeSpan.FromSeconds(5)), services.GetRequiredService<IOptions<LifecycleEventOptions>>().Value.Plan);
    }

    [Theory]
    [InlineData("IncidentEvents__FullyQualifiedNamespace", null, "IncidentEvents:FullyQualifiedNamespace is required when IncidentEvents:Enabled is true")]
    [InlineData("IncidentEvents__FullyQualifiedNamespace", "sb://incidents-prod.servicebus.windows.net/", "IncidentEvents:FullyQualifiedNamespace must be a host name")]
    [InlineData("IncidentEvents__FullyQualifiedNamespace", "incidents-prod", "IncidentEvents:FullyQualifiedNamespace must be a host name")]
    [InlineData("IncidentEvents__Topic", "", "IncidentEvents:Topic must be a Service Bus topic name")]
    [InlineData("IncidentEvents__Topic", "incident events", "IncidentEvents:Topic must be a Service Bus topic name")]
    [InlineData("IncidentEvents__Topic", "incident-events/", "IncidentEvents:Topic must be a Service Bus topic name")]
    [InlineData("IncidentEvents__ManagedIdentityClientId", "my-identity", "IncidentEvents:ManagedIdentityClientId must be the client id (a GUID)")]
    [InlineData("IncidentEvents__MaxAttempts", "0", "IncidentEvents:MaxAttempts must be between 1 and 20")]
    [InlineData("IncidentEvents__RetryInterval", "00:00:00", "IncidentEvents:RetryInterval must be more than zero")]
    public void EnabledEventsAreCheckedOnStart(string key, string? value, string expected) =>
        Assert.Contains(expected, StartupFailure(Enabled, (key, value)));

    [Fact]
    public void SettingsOfDisabledEventsAreNotChecked()
    {
        using var services = Services(Enabled, ("IncidentEvents__Enabled", "false"), ("IncidentEvents__FullyQualifiedNamespace", "sb://not-checked"));

        services.GetRequiredService<IStartupValidator>().Validate();
    }
}
