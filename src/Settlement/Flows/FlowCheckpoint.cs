namespace Settlement.Service.Flows;

/// <summary>
/// A point on a flow's path, given to the runner's checkpoint hook (diagnostics, and the fault-injection tests that
/// throw there to simulate a crash): <c>done:&lt;step&gt;</c> right after an external effect and before the state is
/// saved, <c>saved:&lt;state&gt;</c> right after a save.
/// </summary>
/// <param name="FlowId">The flow.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Name">The point.</param>
public sealed record FlowCheckpoint(Guid FlowId, FlowKind Kind, string Name);
