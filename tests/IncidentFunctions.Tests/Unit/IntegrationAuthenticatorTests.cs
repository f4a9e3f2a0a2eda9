using IncidentFunctions.Ingestion;
using IncidentFunctions.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using IntegrationSettings = IncidentFunctions.Ingestion.IntegrationSettings;

namespace IncidentFunctions.Tests.Unit;

public sealed class IntegrationAuthenticatorTests
{
    const string Secret = "grafana-secret-0123456789";
    const string NextSecret = "grafana-rotated-abcdefghij";

    sealed class FixedOptions(IntegrationOptions value) : IOptionsMonitor<IntegrationOptions>
    {
        public IntegrationOptions CurrentValue => value;

        public IntegrationOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<IntegrationOptions, string?> listener) => null;
    }

    static IntegrationOptions Options(params (string Name, string[] Secrets)[] integrations)
    {
        var options = new IntegrationOptions();
        foreach (var (name, secrets) in integrations)
        {
            options.Items[name] = new IntegrationSettings { Secrets = [.. secrets] };
        }

        return options;
    }

    static IntegrationAuthenticator Authenticator() =>
        new(new FixedOptions(Options(("grafana", [Secret, NextSecret]), ("zabbix", ["zabbix-secret-0123456789"]))));

    static HttpRequest Request(Action<HttpRequest>? configure = null)
    {
        var request = new DefaultHttpContext().Request;
        request.Method = "POST";
        configure?.Invoke(request);
        return request;
    }

    [Fact]
    public void BearerTokenIsAccepted()
    {
        var request = Request(r => r.Headers.Authorization = $"Bearer {Secret}");

        Assert.Equal(IntegrationAuthenticator.Result.Ok, Authenticator().Authenticate(request, "grafana"));
    }

    [Fact]
    public void BearerSchemeIsCaseInsensitive()
    {
        var request = Request(r => r.Headers.Authorization = $"bearer {Secret}");

        Assert.Equal(IntegrationAuthenticator.Result.Ok, Authenticator().Authenticate(request, "grafana"));
    }

    [Fact]
    public void ApiKeyHeaderIsAccepted()
    {
        var request = Request(r => r.Headers["X-Api-Key"] = Secret);

        Assert.Equal(IntegrationAuthenticator.Result.Ok, Authenticator().Authenticate(request, "grafana"));
    }

    [Fact]
    public void KeyQueryParameterIsAccepted()
    {
        var request = Request(r => r.QueryString = new QueryString($"?key={Uri.EscapeDataString(Secret)}"));

        Assert.Equal(IntegrationAuthenticator.Result.Ok, Authenticator().Authenticate(request, "grafana"));
    }

    [Fact]
    public void EitherRotationSecretIsAccepted()
    {
        var authenticator = Authenticator();

        Assert.Equal(IntegrationAuthenticator.Result.Ok,
            authenticator.Authenticate(Request(r => r.Headers.Authorization = $"Bearer {Secret}"), "grafana"));
        Assert.Equal(IntegrationAuthenticator.Result.Ok,
            authenticator.Authenticate(Request(r => r.Headers.Authorization = $"Bearer {NextSecret}"), "grafana"));
    }

    [Theory]
    [InlineData("Authorization")]
    [InlineData("X-Api-Key")]
    [InlineData("key")]
    public void WrongSecretIsRefusedWhereverItIsSent(string where)
    {
        const string wrong = "grafana-secret-0123456780";
        var request = Request(r =>
        {
            switch (where)
            {
                case "Authorization":
                    r.Headers.Authorization = $"Bearer {wrong}";
                    break;
                case "X-Api-Key":
                    r.Headers["X-Api-Key"] = wrong;
                    break;
                default:
                    r.QueryString = new QueryString($"?key={wrong}");
                    break;
            }
        });

        Assert.Equal(IntegrationAuthenticator.Result.BadSecret, Authenticator().Authenticate(request, "grafana"));
    }

    [Fact]
    public void AnotherIntegrationsSecretIsRefused()
    {
        var request = Request(r => r.Headers.Authorization = "Bearer zabbix-secret-0123456789");

        Assert.Equal(IntegrationAuthenticator.Result.BadSecret, Authenticator().Authenticate(request, "grafana"));
    }

    [Fact]
    public void PrefixOfTheSecretIsRefused()
    {
        var request = Request(r => r.Headers.Authorization = $"Bearer {Secret[..^1]}");

        Assert.Equal(IntegrationAuthenticator.Result.BadSecret, Authenticator().Authenticate(request, "grafana"));
    }

    [Fact]
    public void MissingSecretIsRefused()
    {
        Assert.Equal(IntegrationAuthenticator.Result.BadSecret, Authenticator().Authenticate(Request(), "grafana"));
    }

    [Fact]
    public void EmptySecretIsRefused()
    {
        Assert.Equal(IntegrationAuthenticator.Result.BadSecret,
            Authenticator().Authenticate(Request(r => r.Headers.Authorization = "Bearer "), "grafana"));
        Assert.Equal(IntegrationAuthenticator.Result.BadSecret,
            Authenticator().Authenticate(Request(r => r.Headers["X-Api-Key"] = string.Empty), "grafana"));
        Assert.Equal(IntegrationAuthenticator.Result.BadSecret,
            Authenticator().Authenticate(Request(r => r.QueryString = new QueryString("?key=")), "grafana"));
    }

    [Fact]
    public void NonBearerAuthorizationIsNotTakenAsTheSecret()
    {
        var request = Request(r => r.Headers.Authorization = $"Basic {Secret}");

        Assert.Equal(IntegrationAuthenticator.Result.BadSecret, Authenticator().Authenticate(request, "grafana"));
    }

    [Fact]
    public void UnknownIntegrationIsReportedEvenWithAValidLookingSecret()
    {
        var request = Request(r => r.Headers.Authorization = $"Bearer {Secret}");

        Assert.Equal(IntegrationAuthenticator.Result.UnknownIntegration, Authenticator().Authenticate(request, "datadog"));
    }

    [Fact]
    public void UnknownIntegrationIsReportedWithoutASecret()
    {
        Assert.Equal(IntegrationAuthenticator.Result.UnknownIntegration, Authenticator().Authenticate(Request(), "datadog"));
    }

    [Theory]
    [InlineData("GRAFANA")]
    [InlineData("Grafana")]
    [InlineData("grafana")]
    public void IntegrationNamesAreCaseInsensitive(string integration)
    {
        var request = Request(r => r.Headers["X-Api-Key"] = Secret);

        Assert.Equal(IntegrationAuthenticator.Result.Ok, Authenticator().Authenticate(request, integration));
    }

    [Fact]
    public void ChangedConfigurationIsSeenWithoutANewAuthenticator()
    {
        var options = Options(("grafana", [Secret]));
        var authenticator = new IntegrationAuthenticator(new FixedOptions(options));
        var request = Request(r => r.Headers["X-Api-Key"] = NextSecret);
        Assert.Equal(IntegrationAuthenticator.Result.BadSecret, authenticator.Authenticate(request, "grafana"));

        options.Items["grafana"].Secrets.Add(NextSecret);

        Assert.Equal(IntegrationAuthenticator.Result.Ok, authenticator.Authenticate(request, "grafana"));
    }

    [Fact]
    public void RoutingKeyFindsThePagerDutyIntegrationThatHoldsIt()
    {
        var options = Options(("pd-prod", [Secret, NextSecret]), ("grafana", ["grafana-other-0123456789"]));
        options.Items["pd-prod"].Format = AlertFormats.PagerDuty;
        var authenticator = new IntegrationAuthenticator(new FixedOptions(options));

        Assert.Equal("pd-prod", authenticator.FindByRoutingKey(NextSecret));
        Assert.Null(authenticator.FindByRoutingKey("grafana-other-0123456789"));
        Assert.Null(authenticator.FindByRoutingKey(Secret + "x"));
    }

    [Fact]
    public void ValidatorRefusesWebhookSecretsOnAPagerDutyIntegration()
    {
        var options = Options(("pd", [Secret]));
        options.Items["pd"].Format = AlertFormats.PagerDuty;
        options.Items["pd"].WebhookSecrets = ["whsec_" + Convert.ToBase64String(new byte[32])];

        var failure = Assert.Single(Validate(options).Failures!);
        Assert.StartsWith("Integrations:pd:WebhookSecrets:", failure);
    }

    [Fact]
    public void ValidatorRefusesGroupingOnAPagerDutyIntegrationAndTooManyGroupLabels()
    {
        var options = Options(("pd", [Secret]), ("prom", [Secret]));
        options.Items["pd"].Format = AlertFormats.PagerDuty;
        options.Items["pd"].GroupBy = ["alertname"];
        options.Items["prom"].GroupBy = [.. Enumerable.Range(0, AlertGroups.MaxLabels + 1).Select(i => $"l{i}")];

        var failures = Validate(options).Failures!.ToList();

        Assert.Equal(2, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("Integrations:pd:GroupBy:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Integrations:prom:GroupBy:", StringComparison.Ordinal));
    }

    [Fact]
    public void ValidatorRefusesAnUnresolvedKeyVaultReferenceAsASecret()
    {
        var options = Options(("grafana", ["@Microsoft.KeyVault(SecretUri=https://kv-incidents.vault.azure.net/secrets/grafana)"]));

        var failure = Assert.Single(Validate(options).Failures!);
        Assert.StartsWith("Integrations:grafana:Secrets:0: is an unresolved Key Vault reference", failure);
    }

    // IntegrationOptionsValidator

    static ValidateOptionsResult Validate(IntegrationOptions options) => new IntegrationOptionsValidator().Validate(null, options);

    [Fact]
    public void ValidatorAcceptsGoodConfiguration()
    {
        var result = Validate(Options(("grafana", [Secret, NextSecret]), ("zabbix_2-eu", [new string('s', IntegrationOptions.MinSecretLength)])));

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void ValidatorRefusesTheNameOfDeclaredIncidents()
    {
        var result = Validate(Options(("Declared", [Secret])));

        Assert.Contains("Integrations:Declared: the name is reserved for incidents people declare", result.FailureMessage);
    }

    static readonly string WebhookSecret = "whsec_" + Convert.ToBase64String(new byte[24]);

    [Fact]
    public void ValidatorAcceptsWebhookSecretsInsteadOfSecrets()
    {
        var options = Options(("svix", []));
        options.Items["svix"].WebhookSecrets = [WebhookSecret, "whsec_" + Convert.ToBase64String(new byte[32])];

        Assert.True(Validate(options).Succeeded, Validate(options).FailureMessage);
    }

    [Theory]
    [InlineData("c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0")]
    [InlineData("whsec_not-base64!")]
    [InlineData("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==")]
    public void ValidatorRefusesABadWebhookSecretNamingItsPath(string secret)
    {
        var options = Options(("svix", []));
        options.Items["svix"].WebhookSecrets = [WebhookSecret, secret];

        var failure = Assert.Single(Validate(options).Failures!);
        Assert.StartsWith("Integrations:svix:WebhookSecrets:1: must be 'whsec_'", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void SigningIntegrationAsksForTheSignatureEvenWithAPlainSecret()
    {
        var options = Options(("svix", [Secret]));
        options.Items["svix"].WebhookSecrets = [WebhookSecret];
        var request = Request(r => r.Headers.Authorization = $"Bearer {Secret}");

        Assert.Equal(IntegrationAuthenticator.Result.SignatureRequired, new IntegrationAuthenticator(new FixedOptions(options)).Authenticate(request, "svix"));
    }

    [Fact]
    public void ValidatorAcceptsNoIntegrationsAtAll()
    {
        Assert.True(Validate(new IntegrationOptions()).Succeeded);
    }

    [Fact]
    public void ValidatorRefusesAShortSecretNamingItsPath()
    {
        var result = Validate(Options(("grafana", [Secret, new string('s', IntegrationOptions.MinSecretLength - 1)])));

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Integrations:grafana:Secrets:1: ", failure, StringComparison.Ordinal);
        Assert.Contains("at least 16 characters", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidatorRefusesAnUnknownFormatNamingItsPath()
    {
        var options = Options(("grafana", [Secret]));
        options.Items["grafana"].Format = "nagios";

        var result = Validate(options);

        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Integrations:grafana:Format: 'nagios' is not a known format", failure, StringComparison.Ordinal);
        Assert.Same(AlertFormats.For(null), AlertFormats.For(AlertFormats.Generic));
    }

    [Fact]
    public void ValidatorRefusesAnIntegrationWithoutSecretsNamingItsPath()
    {
        var result = Validate(Options(("grafana", [])));

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Integrations:grafana:Secrets: ", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("dots.are.not.allowed")]
    [InlineData("slash/name")]
    [InlineData("")]
    public void ValidatorRefusesABadNameNamingItsPath(string name)
    {
        var result = Validate(Options((name, [Secret])));

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith($"Integrations:{name}: ", failure, StringComparison.Ordinal);
        Assert.Contains("1-64 letters, digits, '-' or '_'", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidatorRefusesANameLongerThan64Characters()
    {
        Assert.True(Validate(Options((new string('a', 64), [Secret]))).Succeeded);

        var longName = new string('a', 65);
        var failure = Assert.Single(Validate(Options((longName, [Secret]))).Failures!);
        Assert.StartsWith($"Integrations:{longName}: ", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidatorReportsEveryProblemAtOnce()
    {
        var result = Validate(Options(("bad name", ["short"]), ("empty", [])));

        Assert.Equal(
            ["Integrations:bad name: ", "Integrations:bad name:Secrets:0: ", "Integrations:empty:Secrets: "],
            result.Failures!.Select(f => f[..(f.IndexOf(": ", StringComparison.Ordinal) + 2)]));
    }
}
