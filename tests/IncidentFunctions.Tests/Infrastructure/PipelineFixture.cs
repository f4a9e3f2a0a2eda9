using Microsoft.Extensions.Configuration;
using Xunit.Abstractions;

namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>
/// What the pipeline talks to, for real: Azurite (tables, queues) and MailDev (SMTP inbox). Each test builds the app's
/// configuration from it with its own policy.
/// </summary>
public sealed class PipelineFixture(IMessageSink diagnostics) : IAsyncLifetime
{
    /// <summary>A fixed test key: link tokens in tests are signed with it.</summary>
    public static readonly string LinkSigningKey = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    public AzuriteFixture Azurite { get; } = new(diagnostics);

    public MailDevFixture MailDev { get; } = new(diagnostics);

    /// <summary>The app's configuration; <paramref name="overrides"/> (colon spelling) replace individual settings.</summary>
    public IConfiguration Configuration(TestPolicy policy, IReadOnlyDictionary<string, string?>? overrides = null) => new ConfigurationBuilder()
        .AddInMemoryCollection(Settings(policy).Select(s => KeyValuePair.Create(s.Key.Replace("__", ":", StringComparison.Ordinal), (string?)s.Value)))
        .AddInMemoryCollection(overrides ?? new Dictionary<string, string?>())
        .Build();

    /// <summary>The settings as environment variables would carry them (for a dev host process).</summary>
    public Dictionary<string, string> Settings(TestPolicy policy)
    {
        var settings = new Dictionary<string, string>
        {
            [ConnectionNames.Storage] = Azurite.ConnectionString,
            ["Policy__Json"] = policy.Json,
            ["Links__BaseUrl"] = "http://localhost:7071",
            ["Links__SigningKey"] = LinkSigningKey,
        };
        foreach (var (key, value) in MailDev.EmailSettings)
        {
            settings[key.Replace(":", "__", StringComparison.Ordinal)] = value!;
        }

        return settings;
    }

    public async Task InitializeAsync() => await Task.WhenAll(Azurite.InitializeAsync(), MailDev.InitializeAsync());

    public async Task DisposeAsync()
    {
        await MailDev.DisposeAsync();
        await Azurite.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class PipelineCollection : ICollectionFixture<PipelineFixture>
{
    public const string Name = "Pipeline";
}
