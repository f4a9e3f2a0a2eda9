using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>Runs one feature's registrations on given settings, and the validation the host runs on start.</summary>
public static class StartupSettings
{
    /// <summary>
    /// The services <paramref name="register"/> adds, configured with <paramref name="settings"/> after
    /// <paramref name="changes"/> (a null value removes the setting). Keys may use the app-setting spelling ("__").
    /// </summary>
    public static ServiceProvider Services(
        Func<IServiceCollection, IConfiguration, IServiceCollection> register,
        IReadOnlyDictionary<string, string?> settings,
        params (string Key, string? Value)[] changes)
    {
        var all = new Dictionary<string, string?>(settings);
        foreach (var (key, value) in changes)
        {
            all[key] = value;
        }

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(all.Select(s => KeyValuePair.Create(s.Key.Replace("__", ":", StringComparison.Ordinal), s.Value)))
            .Build();
        return register(new ServiceCollection().AddLogging(), configuration).BuildServiceProvider();
    }

    /// <summary>The message the host would refuse to start with; fails the test if it would start.</summary>
    public static string Failure(IServiceProvider services) =>
        Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate()).Message;
}
