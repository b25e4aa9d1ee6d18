using System.Numerics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Settlement.Channels.Payee;
using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Watchtower;

/// <summary>
/// Accepts delegations and voucher updates from payees. Every input is untrusted: the outcome is data, a refusal names
/// its reason and leaves the held state unchanged, and a repeated update is <see cref="DelegationUnchanged"/>. Only the
/// newest voucher per channel is kept.
/// </summary>
public sealed partial class DelegationIntake
{
    private readonly IWatchtowerStore _store;
    private readonly IWatchtowerChain _chain;
    private readonly ChannelDomain _domain;
    private readonly TimeProvider _time;
    private readonly WatchtowerMetrics _metrics;
    private readonly ILogger _logger;

    /// <summary>Creates the intake for the deployment <paramref name="chain"/> serves.</summary>
    public DelegationIntake(IWatchtowerStore store, IWatchtowerChain chain, TimeProvider? time = null, WatchtowerMetrics? metrics = null, ILogger<DelegationIntake>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(chain);
        _store = store;
        _chain = chain;
        _domain = new ChannelDomain(chain.ChainId, chain.Contract);
        _time = time ?? TimeProvider.System;
        _metrics = metrics ?? new WatchtowerMetrics();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Checks and stores a delegation or voucher update.</summary>
    public async Task<DelegationOutcome> SubmitAsync(DelegationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var outcome = await DecideAsync(request, cancellationToken).ConfigureAwait(false);
        _metrics.Delegation(outcome);
        switch (outcome)
        {
            case DelegationRefused refused:
                LogRefused(_logger, request.ChannelId.ToString(), refused.Reason);
                break;
            case DelegationAccepted accepted:
                LogAccepted(_logger, accepted.Delegation.ChannelId.ToString(), accepted.Delegation.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture));
                break;
        }

        return outcome;
    }

    private async Task<DelegationOutcome> DecideAsync(DelegationRequest request, CancellationToken cancellationToken)
    {
        if (request.ChainId != _chain.ChainId)
        {
            return Refuse(DelegationRefusal.WrongChain, $"This watchtower guards chain {_chain.ChainId}, not {request.ChainId}.");
        }

        if (request.Contract != _chain.Contract)
        {
            return Refuse(DelegationRefusal.WrongContract, $"This watchtower guards contract {_chain.Contract}, not {request.Contract}.");
        }

        if (request.Channel.Id != request.ChannelId)
        {
            return Refuse(DelegationRefusal.ChannelMismatch, "The voucher's channel id is not the id of the given channel parameters.");
        }

        switch (VoucherVerifier.CheckSignatureForm(request.Signature.Span, out var signature))
        {
            case VoucherRejectCode.MalformedSignature:
                return Refuse(DelegationRefusal.MalformedSignature, "The signature is not 65 bytes r||s||v with r, s in range and v in {0, 1, 27, 28}.");
            case VoucherRejectCode.HighS:
                return Refuse(DelegationRefusal.HighS, "The signature's s is above n/2; the contract refuses it.");
        }

        if (request.CumulativeAmount.Sign <= 0 || request.CumulativeAmount > VoucherVerifier.MaxAmount)
        {
            return Refuse(DelegationRefusal.ExceedsDeposit, "The amount must be above 0 and below 2^96.");
        }

        var voucher = new Voucher(request.ChannelId, request.CumulativeAmount);
        if (!voucher.TryRecoverSigner(_domain, signature, out var signer) || signer != request.Channel.Payer)
        {
            return Refuse(DelegationRefusal.WrongSigner, $"The voucher is not signed by the channel's payer {request.Channel.Payer} in {_domain}.");
        }

        var held = await _store.GetDelegationAsync(request.ChannelId, cancellationToken).ConfigureAwait(false);
        if (held is not null && held.Amount == request.CumulativeAmount)
        {
            return new DelegationUnchanged(held);
        }

        if (held is not null && held.Amount > request.CumulativeAmount)
        {
            return Refuse(DelegationRefusal.NotNewer, $"A voucher for {held.Amount} is already held; {request.CumulativeAmount} is not newer.");
        }

        var state = await _chain.GetStateAsync(request.ChannelId, cancellationToken).ConfigureAwait(false);
        if (!state.Exists)
        {
            return Refuse(DelegationRefusal.UnknownChannel, "The channel does not exist on chain (never opened, or already settled).");
        }

        if (request.CumulativeAmount <= state.RedeemedByPayee)
        {
            return Refuse(DelegationRefusal.AlreadyRedeemed, $"The chain has already paid the payee {state.RedeemedByPayee}.");
        }

        if (request.CumulativeAmount > state.PayerDeposit)
        {
            return Refuse(DelegationRefusal.ExceedsDeposit, $"The payer's deposit is {state.PayerDeposit}.");
        }

        if (state.IsClosing && await IsWindowOverAsync(state.CloseDeadline, cancellationToken).ConfigureAwait(false))
        {
            return Refuse(DelegationRefusal.ChallengePeriodOver, $"The channel is closing and its challenge window ended at {state.CloseDeadline}.");
        }

        var delegation = new Delegation(
            request.Channel,
            new SignedVoucher(voucher, signature),
            _time.GetUtcNow(),
            state.IsClosing ? state.CloseDeadline : held?.CloseDeadline,
            Finished: false);
        switch (await _store.SaveDelegationAsync(delegation, cancellationToken).ConfigureAwait(false))
        {
            case DelegationWrite.Stored:
                if (state.IsClosing)
                {
                    await _store.SetCloseDeadlineAsync(delegation.ChannelId, state.CloseDeadline, cancellationToken).ConfigureAwait(false);
                }

                return new DelegationAccepted(await _store.GetDelegationAsync(delegation.ChannelId, cancellationToken).ConfigureAwait(false) ?? delegation);
            case DelegationWrite.Unchanged:
                return new DelegationUnchanged(await _store.GetDelegationAsync(delegation.ChannelId, cancellationToken).ConfigureAwait(false) ?? delegation);
            default:
                // Another update won the race between the read above and the write.
                var newer = await _store.GetDelegationAsync(delegation.ChannelId, cancellationToken).ConfigureAwait(false);
                return Refuse(DelegationRefusal.NotNewer, $"A voucher for {newer?.Amount ?? BigInteger.Zero} is already held; {request.CumulativeAmount} is not newer.");
        }
    }

    private async Task<bool> IsWindowOverAsync(ulong deadline, CancellationToken cancellationToken)
    {
        var head = await _chain.GetHeadAsync(cancellationToken).ConfigureAwait(false);
        var block = await _chain.GetBlockAsync(head, cancellationToken).ConfigureAwait(false);
        return block is not null && !DisputeRules.WindowOpen(block.Timestamp, deadline);
    }

    private static DelegationRefused Refuse(DelegationRefusal reason, string detail) => new(reason, detail);

    [LoggerMessage(EventId = 2401, Level = LogLevel.Information, Message = "Delegation of channel {ChannelId} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string channelId, DelegationRefusal reason);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Debug, Message = "Holding a voucher for {Amount} on channel {ChannelId}")]
    private static partial void LogAccepted(ILogger logger, string channelId, string amount);
}
