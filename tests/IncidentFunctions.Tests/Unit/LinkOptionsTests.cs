using IncidentFunctions.Links;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static IncidentFunctions.Tests.Unit.LinkTestKit;

namespace IncidentFunctions.Tests.Unit;

public sealed class LinkOptionsTests
{
    static ValidateOptionsResult Validate(ResponderLinkOptions options) => new ResponderLinkOptionsValidator().Validate(null, options);

    static ResponderLinkOptions Good() => new() { BaseUrl = BaseUrl, SigningKey = KeyA };

    static string PathOf(string failure) => failure[..failure.IndexOf(": ", StringComparison.Ordinal)];

    [Fact]
    public void BaseUrlAndAKeyAreEnough()
    {
        var result = Validate(Good());

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal(ResponderLinkOptions.DefaultLifetimeHours, Good().LifetimeHours);
    }

    [Fact]
    public void BaseUrlAndSigningKeyAreRequiredAndNamedByTheirPath()
    {
        var result = Validate(new ResponderLinkOptions());

        Assert.Equal(["Links:BaseUrl", "Links:SigningKey"], result.Failures!.Select(PathOf));
    }

    [Theory]
    [InlineData("myapp.azurewebsites.net")]
    [InlineData("/api")]
    [InlineData("ftp://example.com")]
    [InlineData("https://example.com/?x=1")]
    [InlineData("https://example.com/#top")]
    [InlineData("https://user:pass@example.com")]
    public void ABaseUrlMustBeAnAbsoluteHttpUrlWithNothingAfterThePath(string baseUrl)
    {
        var failure = Assert.Single(Validate(new ResponderLinkOptions { BaseUrl = baseUrl, SigningKey = KeyA }).Failures!);

        Assert.Equal("Links:BaseUrl", PathOf(failure));
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("c2hvcnQ=")]
    public void ASigningKeyMustBeBase64OfAtLeast32Bytes(string key)
    {
        var failure = Assert.Single(Validate(new ResponderLinkOptions { BaseUrl = BaseUrl, SigningKey = key }).Failures!);

        Assert.Equal("Links:SigningKey", PathOf(failure));
        Assert.Contains("at least 32 bytes", failure, StringComparison.Ordinal);
        Assert.DoesNotContain(key, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A31ByteKeyIsTooShortAndA32ByteKeyIsNot()
    {
        Assert.True(Validate(new ResponderLinkOptions { BaseUrl = BaseUrl, SigningKey = Convert.ToBase64String(new byte[31]) }).Failed);
        Assert.True(Validate(new ResponderLinkOptions { BaseUrl = BaseUrl, SigningKey = Convert.ToBase64String(new byte[32]) }).Succeeded);
    }

    [Fact]
    public void APreviousKeyIsOptionalButMustBeUsableWhenSet()
    {
        Assert.True(Validate(new ResponderLinkOptions { BaseUrl = BaseUrl, SigningKey = KeyB, PreviousSigningKey = KeyA }).Succeeded);

        var failure = Assert.Single(Validate(new ResponderLinkOptions { BaseUrl = BaseUrl, SigningKey = KeyB, PreviousSigningKey = "c2hvcnQ=" }).Failures!);
        Assert.Equal("Links:PreviousSigningKey", PathOf(failure));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(ResponderLinkOptions.MaxLifetimeHours + 1)]
    public void TheLifetimeIsBetweenAnHourAndAWeek(int hours)
    {
        var failure = Assert.Single(Validate(new ResponderLinkOptions { BaseUrl = BaseUrl, SigningKey = KeyA, LifetimeHours = hours }).Failures!);

        Assert.Equal("Links:LifetimeHours", PathOf(failure));
    }

    [Fact]
    public void MissingSettingsStopTheAppAtStartNotAtTheFirstEmail()
    {
        using var services = new ServiceCollection()
            .AddResponderLinks(new ConfigurationBuilder().Build())
            .BuildServiceProvider();

        var refused = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(refused.Failures, f => f.StartsWith("Links:SigningKey: ", StringComparison.Ordinal));
    }

    [Fact]
    public void TheLinksSectionIsBoundFromConfiguration()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Links:BaseUrl"] = "http://localhost:7071",
                ["Links:SigningKey"] = KeyA,
                ["Links:LifetimeHours"] = "2",
            })
            .Build();
        using var services = new ServiceCollection().AddSingleton<TimeProvider>(new ManualClock(Start)).AddResponderLinks(configuration).BuildServiceProvider();

        services.GetRequiredService<IStartupValidator>().Validate();
        var url = services.GetRequiredService<LinkSigner>().CreateUrl(IncidentId, "alice", LinkAction.Acknowledge);

        Assert.StartsWith("http://localhost:7071/api/respond/", url.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal(Start.AddHours(2), Signer(new ManualClock(Start)).Verify(IncidentId, "acknowledge", Parse(url).Token).ExpiresAt);
    }
}
