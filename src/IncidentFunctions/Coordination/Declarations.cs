using IncidentFunctions.Model;
using IncidentFunctions.Policy;

namespace IncidentFunctions.Coordination;

/// <summary>
/// What a person declares about a new incident, as the rule needs it: <see cref="Commander"/> and
/// <see cref="DeclaredBy"/> are how the incident names them (policy person ids, or the caller's key for someone the
/// policy does not know); <see cref="Commander"/> is null when nobody is named and the declarer is not a person of the
/// policy (the first to acknowledge then leads). <see cref="Paged"/> is false when the declarer chose not to page.
/// </summary>
public sealed record DeclarationInput(
    string? Category,
    Visibility? Visibility,
    string? Commander,
    string DeclaredBy,
    string? Summary,
    DateTimeOffset? ImpactStartedAt,
    bool Paged);

/// <summary>
/// Where a declared incident's response starts.
/// <list type="bullet">
/// <item>In its category's initial stage (<see cref="ResponsePolicy.DefaultInitialStage"/> without one): someone is
/// already on it, so it skips triage unless the category says otherwise.</item>
/// <item>Visible as the declarer asked, else as its category says, else to everyone who may read incidents.</item>
/// <item>Detected when declared; impact started when the declarer says, which cannot be after the declaration.
/// Acknowledged at the declaration when not paged: the declarer is the one responding.</item>
/// <item>Led by the commander named (the declarer by default); the declarer and the commander are its first participants.</item>
/// </list>
/// </summary>
public static class Declarations
{
    /// <summary>The request field a refused impact start is reported under.</summary>
    public const string ImpactStartedField = "impactStartedAt";

    public static Decision<IncidentResponse> Start(ResponsePolicy policy, DeclarationInput input, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(input);
        IncidentCategory? category = null;
        if (input.Category is { } id && (category = policy.Category(id)) is null)
        {
            return UnknownCategory(policy, id);
        }

        var stage = StageMachine.Start(category?.InitialStage ?? ResponsePolicy.DefaultInitialStage, at);
        if (stage.Refused is { } badStage)
        {
            return badStage;
        }

        IReadOnlyDictionary<Milestone, DateTimeOffset> milestones = new Dictionary<Milestone, DateTimeOffset> { [Milestone.Detected] = at };
        if (input.ImpactStartedAt is { } impact)
        {
            var recorded = Milestones.Record(milestones, Milestone.ImpactStarted, impact);
            if (recorded.Refused is not null)
            {
                return new Refusal(ImpactStartedField, $"must be at or before the declaration ({at:O})");
            }

            milestones = recorded.Accepted!;
        }

        if (!input.Paged)
        {
            milestones = new Dictionary<Milestone, DateTimeOffset>(milestones) { [Milestone.Acknowledged] = at };
        }

        return new IncidentResponse
        {
            Stage = stage.Accepted!.Current,
            StageEnteredAt = stage.Accepted.EnteredAt,
            Milestones = milestones,
            Category = category?.Id,
            Visibility = input.Visibility ?? category?.Visibility ?? Visibility.Standard,
            Roles = input.Commander is { } commander
                ? new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal) { [ResponsePolicy.Commander] = [commander] }
                : new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal),
            Participants = [.. new[] { input.DeclaredBy, input.Commander }.OfType<string>().Distinct(StringComparer.Ordinal)],
            Declared = true,
            Summary = input.Summary,
        };
    }

    /// <summary>A category the policy does not define: the refusal lists those it does.</summary>
    public static Refusal UnknownCategory(ResponsePolicy policy, string category)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new Refusal(
            "category",
            policy.Categories.Count == 0
                ? $"unknown category '{category}'; the policy has no categories"
                : $"unknown category '{category}'; expected one of {string.Join(", ", policy.Categories.Select(c => c.Id))}");
    }
}
