namespace Settlement.Service.Flows;

/// <summary>
/// One flow as <see cref="IFlowStore"/> keeps it: the kind, the state's name, whether it is finished, what the steps
/// need as JSON (validated per state when read back), and the optimistic-concurrency version (+1 per update).
/// </summary>
/// <param name="Id">The flow id.</param>
/// <param name="Kind">Which state machine.</param>
/// <param name="State">The state's name.</param>
/// <param name="Finished">True when no step is left (resume skips it).</param>
/// <param name="Payload">The flow's data (JSON).</param>
/// <param name="Version">1 at creation, +1 per update.</param>
/// <param name="CreatedAt">Creation time.</param>
/// <param name="UpdatedAt">Last update time.</param>
public sealed record StoredFlow(Guid Id, FlowKind Kind, string State, bool Finished, string Payload, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
