using System.Net.Mail;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace IncidentFunctions.Http;

/// <summary>
/// The signed-in user as App Service Authentication (Easy Auth) passes it: a base64 JSON document in
/// X-MS-CLIENT-PRINCIPAL (<c>auth_typ</c>, <c>name_typ</c>, <c>role_typ</c>, <c>claims[{typ, val}]</c>). In Azure the
/// platform strips any client-sent copy of the header and sets its own, so it can be trusted there, and only there:
/// routes ask the sign-in (Access), which reads the header only when <see cref="AuthenticationOptions.EasyAuthEnabled"/>
/// says Easy Auth (or the dev host, playing its part) wrote it.
/// </summary>
/// <param name="Roles">The values of the role claims, as sent; which of them name app roles is the sign-in's business.</param>
/// <param name="Email">The first claim that holds an email address; null when none does.</param>
/// <param name="ObjectId">The Entra object id (<c>oid</c>); null for other identity providers.</param>
public sealed record ClientPrincipal(string Name, string IdentityProvider, IReadOnlyList<string> Roles, string? Email, string? ObjectId)
{
    public const string Header = "X-MS-CLIENT-PRINCIPAL";

    /// <summary>Entra's role claim, as Easy Auth passes an access or ID token's <c>roles</c>.</summary>
    public const string RolesClaim = "roles";

    /// <summary>The role claim type .NET and Easy Auth name in <c>role_typ</c> for Entra.</summary>
    public const string RoleClaimUri = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role";

    public const string ObjectIdClaimUri = "http://schemas.microsoft.com/identity/claims/objectidentifier";

    // In order of preference: a claim meant as an address first, the sign-in name (often, not always, an address) last.
    static readonly string[] EmailClaims = ["email", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", "emails", "preferred_username"];
    static readonly string[] ObjectIdClaims = ["oid", ObjectIdClaimUri];

    public static ClientPrincipal? From(HttpRequest request)
    {
        if (!request.Headers.TryGetValue(Header, out var values) || string.IsNullOrWhiteSpace(values.ToString()))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(values.ToString())));
            var root = document.RootElement;
            var provider = root.TryGetProperty("auth_typ", out var p) ? p.GetString() ?? "unknown" : "unknown";
            var nameType = root.TryGetProperty("name_typ", out var nt) ? nt.GetString() : null;
            var roleType = root.TryGetProperty("role_typ", out var rt) ? rt.GetString() : null;
            var claims = new List<(string Type, string Value)>();
            if (root.TryGetProperty("claims", out var array) && array.ValueKind == JsonValueKind.Array)
            {
                foreach (var claim in array.EnumerateArray())
                {
                    if (claim.TryGetProperty("typ", out var t) && t.GetString() is { } type && claim.TryGetProperty("val", out var v) && v.GetString() is { } value)
                    {
                        claims.Add((type, value));
                    }
                }
            }

            var name = claims.FirstOrDefault(c => c.Type == nameType || c.Type is "name" or "preferred_username").Value;
            if (string.IsNullOrWhiteSpace(name))
            {
                return null;
            }

            // role_typ names the role claim; Entra's own two spellings count too, as Easy Auth's role_typ and the
            // claims it passes do not always agree (role_typ the URI, the claims "roles").
            var roles = claims.Where(c => c.Type == roleType || c.Type is RolesClaim or RoleClaimUri).Select(c => c.Value).ToArray();
            var email = EmailClaims.SelectMany(type => claims.Where(c => c.Type == type)).Select(c => c.Value).FirstOrDefault(IsEmailAddress);
            var objectId = ObjectIdClaims.SelectMany(type => claims.Where(c => c.Type == type)).Select(c => c.Value).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
            return new ClientPrincipal(name, provider, roles, email, objectId);
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Encodes a principal the way Easy Auth does for Entra; the dev host and the tests use it.</summary>
    public static string Encode(string name, string provider = "aad", IEnumerable<string>? roles = null, string? email = null, string? objectId = null)
    {
        var claims = new List<object> { new { typ = "name", val = name } };
        claims.AddRange((roles ?? []).Select(role => new { typ = RolesClaim, val = role }));
        if (email is not null)
        {
            claims.Add(new { typ = "preferred_username", val = email });
        }

        if (objectId is not null)
        {
            claims.Add(new { typ = ObjectIdClaimUri, val = objectId });
        }

        var json = JsonSerializer.Serialize(new { auth_typ = provider, name_typ = "name", role_typ = RoleClaimUri, claims });
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
    }

    // MailAddress also accepts "Name <address>"; an address claim holds the bare address.
    static bool IsEmailAddress(string value) => MailAddress.TryCreate(value, out var parsed) && parsed.Address == value;
}
