using IncidentFunctions.Model;
using IncidentFunctions.Policy;

namespace IncidentFunctions.Coordination;

/// <summary>Whose request a stage change is: some changes are the incident commander's alone.</summary>
public enum StageAuthority
{
    Responder,
    Commander,
}

/// <summary>The stage an incident is in and when it first entered each stage it has been in.</summary>
public sealed record StageState(Stage Current, IReadOnlyDictionary<Stage, DateTimeOffset> EnteredAt)
{
    /// <summary>Entering a stage records its time only the first time: going back and forth keeps the first entry.</summary>
    public StageState Enter(Stage stage, DateTimeOffset at)
    {
        var entered = new Dictionary<Stage, DateTimeOffset>(EnteredAt);
        entered.TryAdd(stage, at);
        return new StageState(stage, entered);
    }
}

/// <summary>What a stage change leads to; <see cref="From"/> equals <see cref="To"/> when nothing changed.</summary>
public sealed record StageChange(StageState State, Stage From, Stage To)
{
    public bool Changed => From != To;
}

/// <summary>
/// The order of a response's stages.
/// <list type="bullet">
/// <item>Forward through triage, investigating, identified, mitigated and resolved, skipping any (investigating to
/// mitigated, or triage straight to resolved).</item>
/// <item>Back only among investigating, identified and mitigated, when the incident regresses (a fix that did not hold,
/// a cause that was wrong). Never back to triage (someone has picked the incident up), never back out of resolved (a
/// new alert after resolving opens a new incident), and never out of closed, declined or merged.</item>
/// <item>Review only from resolved, closed from resolved or review (a commander may skip review), both by the commander.</item>
/// <item>Declined (not an incident) and merged (a duplicate) are side exits from any active stage, by the commander.</item>
/// </list>
/// </summary>
public static class StageMachine
{
    /// <summary>The stages in which the response is under way: reminders run and updates are due only in these.</summary>
    public static readonly IReadOnlyList<Stage> ActiveStages = [Stage.Triage, Stage.Investigating, Stage.Identified, Stage.Mitigated];

    public static bool IsActive(Stage stage) => ActiveStages.Contains(stage);

    /// <summary>Stages nothing leaves.</summary>
    public static bool IsFinal(Stage stage) => stage is Stage.Closed or Stage.Declined or Stage.Merged;

    static bool CommanderOnly(Stage to) => to is Stage.Review or Stage.Closed or Stage.Declined or Stage.Merged;

    /// <summary>Where an incident in <paramref name="from"/> may go next at the request of <paramref name="by"/>, in stage order.</summary>
    public static IReadOnlyList<Stage> AllowedNext(Stage from, StageAuthority by)
    {
        Stage[] next = from switch
        {
            Stage.Triage => [Stage.Investigating, Stage.Identified, Stage.Mitigated, Stage.Resolved, Stage.Declined, Stage.Merged],
            Stage.Investigating => [Stage.Identified, Stage.Mitigated, Stage.Resolved, Stage.Declined, Stage.Merged],
            Stage.Identified => [Stage.Investigating, Stage.Mitigated, Stage.Resolved, Stage.Declined, Stage.Merged],
            Stage.Mitigated => [Stage.Investigating, Stage.Identified, Stage.Resolved, Stage.Declined, Stage.Merged],
            Stage.Resolved => [Stage.Review, Stage.Closed],
            Stage.Review => [Stage.Closed],
            _ => [],
        };
        return by == StageAuthority.Commander ? next : next.Where(stage => !CommanderOnly(stage)).ToArray();
    }

    /// <summary>
    /// Where an incident starts: an alert-opened one in triage; a declared one where its category says (or
    /// <see cref="ResponsePolicy.DefaultInitialStage"/>), or where the declarer asks, if an incident may start there.
    /// </summary>
    public static Decision<StageState> Start(Stage initial, DateTimeOffset at) =>
        ResponsePolicy.InitialStages.Contains(initial)
            ? new StageState(initial, new Dictionary<Stage, DateTimeOffset> { [initial] = at })
            : new Refusal("stage", $"an incident cannot start in {Wording.Of(initial)}; it can start in {Wording.List(ResponsePolicy.InitialStages)}");

    /// <summary>
    /// A requested change. Asking for the stage the incident is already in changes nothing and is not refused, so a
    /// PATCH that repeats the stage beside another edit succeeds. A change the incident's stage does not allow (out of
    /// order, or out of a final stage) is a conflict: the request is sound, the incident is not where it would need to be.
    /// </summary>
    public static Decision<StageChange> Change(StageState state, Stage to, StageAuthority by, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(state);
        var from = state.Current;
        if (to == from)
        {
            return new StageChange(state, from, to);
        }

        if (IsFinal(from))
        {
            return new Refusal("stage", $"the incident is {Wording.Of(from)}; its stage can no longer change", Conflict: true);
        }

        var allowed = AllowedNext(from, by);
        if (allowed.Contains(to))
        {
            return new StageChange(state.Enter(to, at), from, to);
        }

        if (AllowedNext(from, StageAuthority.Commander).Contains(to))
        {
            return new Refusal("stage", $"only the incident commander can move the incident to {Wording.Of(to)}");
        }

        return new Refusal(
            "stage",
            allowed.Count == 0
                ? $"cannot move from {Wording.Of(from)} to {Wording.Of(to)}; only the incident commander can move it on from {Wording.Of(from)}"
                : $"cannot move from {Wording.Of(from)} to {Wording.Of(to)}; allowed next: {Wording.List(allowed)}",
            Conflict: true);
    }

    /// <summary>Acknowledging picks the incident up: triage becomes investigating; any other stage stays.</summary>
    public static StageChange Acknowledged(StageState state, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Current == Stage.Triage
            ? new StageChange(state.Enter(Stage.Investigating, at), Stage.Triage, Stage.Investigating)
            : new StageChange(state, state.Current, state.Current);
    }

    /// <summary>
    /// Resolving, by any channel (a person, the API, the source's own resolution), moves an active incident to resolved.
    /// An incident already resolved, in review, closed, declined or merged stays where it is.
    /// </summary>
    public static StageChange Resolved(StageState state, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(state);
        return IsActive(state.Current)
            ? new StageChange(state.Enter(Stage.Resolved, at), state.Current, Stage.Resolved)
            : new StageChange(state, state.Current, state.Current);
    }
}
