using IncidentFunctions.Notifications;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Tests.Unit;

public sealed class EmailOptionsTests
{
    static readonly Dictionary<string, string?> Smtp = new()
    {
        ["Email:Transport"] = "Smtp",
        ["Email:From"] = "incidents@example.com",
        ["Email:Smtp:Host"] = "smtp.example.com",
    };

    static readonly Dictionary<string, string?> Acs = new()
    {
        ["Email:Transport"] = "Acs",
        ["Email:From"] = "DoNotReply@example.com",
        ["Email:Acs:Endpoint"] = "https://incidents.communication.azure.com",
    };

    static ServiceProvider Services(Dictionary<string, string?> settings, params (string Key, string? Value)[] changes) =>
        StartupSettings.Services((services, configuration) => services.AddEmail(configuration), settings, changes);

    /// <summary>What the host runs on start: the app refuses to start rather than fail at the first page.</summary>
    static string StartupFailure(Dictionary<string, string?> settings, params (string Key, string? Value)[] changes)
    {
        using var services = Services(settings, changes);
        return StartupSettings.Failure(services);
    }

    [Fact]
    public void DefaultsApplyAroundTheRequiredSettings()
    {
        using var services = Services(Smtp);
        services.GetRequiredService<IStartupValidator>().Validate();

        var options = services.GetRequiredService<IOptions<EmailOptions>>().Value;
        Assert.Equal("IncidentFunctions", options.FromName);
        Assert.Equal(587, options.Smtp.Port);
        Assert.Equal(SmtpSecurity.StartTls, options.Smtp.Security);
        Assert.Equal(5, options.Acs.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(60), options.Acs.MaxRetryDelay);
    }

    [Fact]
    public void TheTransportChoosesTheSender()
    {
        using var smtp = Services(Smtp);
        using var acs = Services(Acs, ("Email:Acs:AccessKey", Convert.ToBase64String(new byte[32])));

        Assert.IsType<SmtpEmailSender>(smtp.GetRequiredService<IEmailSender>());
        Assert.IsType<AcsEmailSender>(acs.GetRequiredService<IEmailSender>());
    }

    [Theory]
    [InlineData("Email:Transport", null, "Email:Transport is required")]
    [InlineData("Email:From", null, "Email:From is required")]
    [InlineData("Email:From", "Incidents <incidents@example.com>", "Email:From must be a plain email address")]
    [InlineData("Email:Smtp:Host", null, "Email:Smtp:Host is required when Email:Transport is Smtp")]
    [InlineData("Email:Smtp:Port", "0", "Email:Smtp:Port must be between 1 and 65535")]
    [InlineData("Email:Smtp:Password", "secret", "Email:Smtp:UserName and Email:Smtp:Password are set together")]
    public void SmtpSettingsAreCheckedOnStart(string key, string? value, string expected) =>
        Assert.Contains(expected, StartupFailure(Smtp, (key, value)));

    [Theory]
    [InlineData("Email:Acs:Endpoint", null, "Email:Acs:Endpoint is required when Email:Transport is Acs")]
    [InlineData("Email:Acs:Endpoint", "http://incidents.communication.azure.com", "Email:Acs:Endpoint must be an absolute https URL")]
    [InlineData("Email:Acs:AccessKey", "not base64!", "Email:Acs:AccessKey must be the resource's access key")]
    [InlineData("Email:Acs:MaxAttempts", "0", "Email:Acs:MaxAttempts must be at least 1")]
    [InlineData("Email:Acs:MaxRetryDelay", "00:00:01", "Email:Acs:MaxRetryDelay must be at least Email:Acs:RetryDelay")]
    public void AcsSettingsAreCheckedOnStart(string key, string? value, string expected) =>
        Assert.Contains(expected, StartupFailure(Acs, (key, value)));

    [Fact]
    public void AcsNeedsNoSmtpSettingsAndAllowsPlainHttpOnLoopbackForALocalFake()
    {
        using var services = Services(Acs, ("Email:Acs:Endpoint", "http://127.0.0.1:5099"));
        services.GetRequiredService<IStartupValidator>().Validate();
    }
}
