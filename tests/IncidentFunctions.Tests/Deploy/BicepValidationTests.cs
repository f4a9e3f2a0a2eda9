using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace IncidentFunctions.Tests.Deploy;

/// <summary>The templates compile, lint clean and predict cleanly with the Bicep CLI version the repository pins.</summary>
[Collection(DeploymentCollection.Name)]
public sealed partial class BicepValidationTests(DeploymentFixture deployment)
{
    [Fact]
    public void TheCompilerThatRanIsThePinnedPackage()
    {
        var pinned = XDocument.Load(Path.Combine(deployment.RepositoryRoot, "Directory.Packages.props"))
            .Descendants("PackageVersion")
            .Single(p => (string?)p.Attribute("Include") == "Azure.Bicep.CommandLine.linux-x64")
            .Attribute("Version")!.Value;

        Assert.Equal(0, deployment.Version.ExitCode);
        Assert.Contains($"Bicep CLI version {pinned} ", deployment.Version.Output, StringComparison.Ordinal);
        Assert.Contains(Path.Combine("azure.bicep.commandline.linux-x64", pinned), deployment.Bicep.Packaged, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void MainAndEveryModuleBuildWithoutDiagnostics()
    {
        Assert.True(deployment.Build.ExitCode == 0, deployment.Build.ToString());
        Assert.True(deployment.Build.Error.Trim().Length == 0, deployment.Build.ToString());
        Assert.Contains("main.bicep", deployment.BicepFiles);
        Assert.Contains(deployment.BicepFiles, f => f.StartsWith("app/", StringComparison.Ordinal));
        Assert.Equal(deployment.BicepFiles, deployment.CompiledTemplates.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void MainReferencesEveryModuleFile()
    {
        var modules = deployment.BicepFiles.Where(f => f != "main.bicep").ToList();
        var main = File.ReadAllText(Path.Combine(deployment.InfraDirectory, "main.bicep"));

        Assert.NotEmpty(modules);
        Assert.All(modules, module => Assert.Contains($"'{module}'", main, StringComparison.Ordinal));
    }

    [Fact]
    public void TheLinterReportsNothing()
    {
        Assert.True(deployment.Lint.ExitCode == 0, deployment.Lint.ToString());
        Assert.True((deployment.Lint.Output + deployment.Lint.Error).Trim().Length == 0, deployment.Lint.ToString());
    }

    /// <summary>
    /// The linter stays quiet only because its rules are on: each configured rule is a warning or an error, except
    /// one that needs a module registry these templates do not use.
    /// </summary>
    [Fact]
    public void LinterRulesAreWarningsOrErrors()
    {
        var config = JsonNode.Parse(
            File.ReadAllText(Path.Combine(deployment.InfraDirectory, "bicepconfig.json")),
            documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!;
        var core = config["analyzers"]!["core"]!;
        var rules = core["rules"]!.AsObject().ToDictionary(r => r.Key, r => (string)r.Value!["level"]!);

        Assert.True((bool?)core["enabled"] ?? true);
        Assert.Contains("use-recent-api-versions", rules.Keys);
        Assert.Contains("outputs-should-not-contain-secrets", rules.Keys);
        Assert.All(
            rules.Where(r => r.Key != "use-recent-module-versions"),
            r => Assert.True(r.Value is "warning" or "error", $"{r.Key} is '{r.Value}'"));
    }

    [Fact]
    public void BothPredictedDeploymentsEvaluateWithoutDiagnostics()
    {
        Assert.Empty(deployment.FirstDeployment.Diagnostics);
        Assert.Empty(deployment.ConfiguredRedeployment.Diagnostics);
        Assert.True(deployment.FirstDeployment.Run.Error.Trim().Length == 0, deployment.FirstDeployment.Run.ToString());
        Assert.True(deployment.ConfiguredRedeployment.Run.Error.Trim().Length == 0, deployment.ConfiguredRedeployment.Run.ToString());
    }

    /// <summary>
    /// docs/deploy.md lists every parameter of main.bicep and every environment value main.bicepparam reads; the
    /// fixture clears exactly those values so that no run depends on the shell it started from.
    /// </summary>
    [Fact]
    public void EveryParameterAndEnvironmentValueIsDocumented()
    {
        var deployPage = File.ReadAllText(Path.Combine(deployment.RepositoryRoot, "docs", "deploy.md"));
        var parameters = deployment.CompiledTemplates["main.bicep"]["parameters"]!.AsObject().Select(p => p.Key).ToList();
        var variables = EnvironmentValue()
            .Matches(File.ReadAllText(Path.Combine(deployment.InfraDirectory, "main.bicepparam")))
            .Select(m => m.Groups[1].Value)
            .ToList();

        Assert.NotEmpty(parameters);
        Assert.All(parameters, p => Assert.Contains($"| `{p}` |", deployPage, StringComparison.Ordinal));
        Assert.NotEmpty(variables);
        Assert.All(variables, v => Assert.Contains($"`{v}`", deployPage, StringComparison.Ordinal));
        Assert.Equal(variables.Order(StringComparer.Ordinal), BicepCli.ParameterVariables.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AzdDeploysTheFunctionsProjectToTheTaggedFunctionApp()
    {
        var azureYaml = File.ReadAllLines(Path.Combine(deployment.RepositoryRoot, "azure.yaml"))
            .Select(l => l.Split('#')[0].TrimEnd())
            .Where(l => l.Length > 0)
            .ToList();
        string Value(string key) => Assert.Single(azureYaml, l => l.TrimStart().StartsWith(key + ":", StringComparison.Ordinal))
            .Split(':', 2)[1].Trim();

        var project = Value("project");
        Assert.Equal("./src/IncidentFunctions", project);
        Assert.True(File.Exists(Path.Combine(deployment.RepositoryRoot, project, "IncidentFunctions.csproj")));
        Assert.Equal("dotnet", Value("language"));
        Assert.Equal("function", Value("host"));
        Assert.Contains(azureYaml, l => l == "  api:");
        Assert.Equal("infra", Value("path"));
        Assert.Equal("main", Value("module"));

        var site = deployment.FirstDeployment.Single("Microsoft.Web/sites");
        Assert.Equal("api", (string?)site["tags"]!["azd-service-name"]);
    }

    [GeneratedRegex(@"readEnvironmentVariable\('([A-Z_]+)'")]
    private static partial Regex EnvironmentValue();
}
