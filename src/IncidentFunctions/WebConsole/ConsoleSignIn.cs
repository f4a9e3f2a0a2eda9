using System.Diagnostics.CodeAnalysis;
using IncidentFunctions.Access;
using IncidentFunctions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.WebConsole;

/// <summary>
/// Who is looking at a console page: the same <see cref="SignIn"/> as the API, answered as pages. Without a sign-in, a
/// browser on App Service is sent to its sign-in and back (infra/app/function.bicep has App Service Authentication
/// redirect there already; this covers a session that ends between the two); elsewhere the page says how to sign in.
/// </summary>
public sealed class ConsoleSignIn(SignIn signIn, PageRenderer pages, IOptions<AuthenticationOptions> authentication)
{
    /// <summary>The Entra ID provider's sign-in, as App Service Authentication names it.</summary>
    public const string LoginPath = "/.auth/login/aad";

    public async Task<Admission> AdmitAsync(HttpRequest request, Permission permission)
    {
        if (signIn.TryAdmit(request, permission, out var caller, out var refusal))
        {
            return new Admission(caller, null);
        }

        var viewer = signIn.CallerOf(request);
        if (viewer is null && authentication.Value.OnAppService && authentication.Value.TrustsPrincipalHeader)
        {
            return new Admission(null, new RedirectResponse(SignInUrl(request)));
        }

        return new Admission(null, await RefusalAsync(refusal, viewer));
    }

    /// <summary>A refusal from the API's rules (403, 404, ...) as a page, with the same status code.</summary>
    public Task<HtmlPage> RefusalAsync(Problem problem, Caller? viewer) =>
        pages.PageAsync<ProblemPage>(problem.Status, new Dictionary<string, object?>
        {
            [nameof(ProblemPage.Title)] = problem.Title,
            [nameof(ProblemPage.Detail)] = problem.Detail,
            [nameof(ProblemPage.Viewer)] = viewer,
            [nameof(ProblemPage.SignInUrl)] = problem.Status == StatusCodes.Status401Unauthorized && authentication.Value.OnAppService ? LoginPath : null,
        });

    static string SignInUrl(HttpRequest request) =>
        $"{LoginPath}?post_login_redirect_uri={Uri.EscapeDataString(request.Path + request.QueryString)}";

    public sealed record Admission(Caller? Caller, IActionResult? Refusal)
    {
        [MemberNotNullWhen(true, nameof(Caller))]
        [MemberNotNullWhen(false, nameof(Refusal))]
        public bool Admitted => Caller is not null;
    }
}
