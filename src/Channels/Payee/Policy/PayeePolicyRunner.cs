using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Payee.Policy;

/// <summary>
/// One run of the payee's redeem and close policy: read the channels from the store and the chain, plan
/// (<see cref="PayeePolicyPlanner"/>), execute (<see cref="PolicyActionExecutor"/>). Every run starts again from chain
/// state, so it can be repeated at any time, also after a crash mid-run.
/// </summary>
public sealed partial class PayeePolicyRunner
{
    private readonly PolicySnapshotReader _reader;
    private readonly PolicyActionExecutor _executor;
    private readonly PayeePolicyPlanner _planner;
    private readonly ILogger _logger;

    /// <summary>Creates a runner.</summary>
    /// <exception cref="ArgumentException">An option is invalid (the message names it).</exception>
    public PayeePolicyRunner(PolicySnapshotReader reader, PolicyActionExecutor executor, IOptions<PayeePolicyOptions> options, ILogger<PayeePolicyRunner>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(executor);
        ArgumentNullException.ThrowIfNull(options);
        _reader = reader;
        _executor = executor;
        _planner = new PayeePolicyPlanner(options.Value);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The planner (for callers that want to plan without executing).</summary>
    public PayeePolicyPlanner Planner => _planner;

    /// <summary>Plans and executes the policy once.</summary>
    public async Task<PolicyRunResult> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        var snapshot = await _reader.ReadAsync(_executor.Payee, cancellationToken).ConfigureAwait(false);
        var plan = _planner.Plan(snapshot);
        var results = await _executor.ExecuteAsync(plan.Actions, cancellationToken).ConfigureAwait(false);
        LogRun(_logger, snapshot.Channels.Count, plan.Actions.Count, plan.Deferred.Count);
        return new PolicyRunResult(snapshot, plan, results);
    }

    /// <summary>
    /// The merchant's batch redeem: every channel with something new to redeem (of <paramref name="token"/> if given),
    /// most urgent first, one batch per token within <paramref name="gasBudget"/>; with <paramref name="dryRun"/> only
    /// the plan is returned.
    /// </summary>
    public async Task<PolicyRunResult> RedeemBatchAsync(Address? token, long? gasBudget, bool dryRun, CancellationToken cancellationToken = default)
    {
        var snapshot = await _reader.ReadAsync(_executor.Payee, cancellationToken).ConfigureAwait(false);
        var plan = _planner.PlanBatch(snapshot, token, gasBudget);
        var results = dryRun ? [] : await _executor.ExecuteAsync(plan.Actions, cancellationToken).ConfigureAwait(false);
        return new PolicyRunResult(snapshot, plan, results);
    }

    [LoggerMessage(EventId = 2303, Level = LogLevel.Debug, Message = "Policy run: {Channels} channels, {Actions} actions, {Deferred} deferred to the next run")]
    private static partial void LogRun(ILogger logger, int channels, int actions, int deferred);
}
