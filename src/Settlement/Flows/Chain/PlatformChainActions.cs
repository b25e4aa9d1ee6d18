using System.Numerics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Settlement.Channels.Contracts;
using Settlement.Channels.Contracts.Events;
using Settlement.Channels.Tokens;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;

namespace Settlement.Service.Flows.Chain;

/// <summary>
/// The platform's chain steps over a channel contract and the stablecoin it issues, each transaction under its own step
/// key in the <see cref="IChainOutbox"/> (<c>{stepKey}/mint</c>, <c>/approve</c>, <c>/open</c>, <c>/topup</c>,
/// <c>/burn</c>, <c>/unmint</c>). Before it signs anything new after a start, it re-sends every stored transaction that
/// has no receipt yet, in nonce order, so their nonces are not handed out again. Refusals the contract gives are
/// results (<see cref="ChainActionStatus.Reverted"/>); a funding whose open reverts burns what it minted for it, so
/// nothing is left issued without a reserve behind it.
/// </summary>
public sealed partial class PlatformChainActions : IChainActions
{
    private readonly ChannelContract _channels;
    private readonly StablecoinContract _token;
    private readonly TransactionSender _sender;
    private readonly PrivateKey _platform;
    private readonly IChainOutbox _outbox;
    private readonly ulong _chainId;
    private readonly uint _challengePeriodSeconds;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _recovery = new(1, 1);
    private bool _recovered;

    /// <summary>Creates the actions; <paramref name="platform"/> must be the stablecoin's owner (it mints).</summary>
    public PlatformChainActions(
        ChannelContract channels,
        StablecoinContract token,
        TransactionSender sender,
        PrivateKey platform,
        IChainOutbox outbox,
        ulong chainId,
        uint challengePeriodSeconds,
        TimeProvider? time = null,
        ILogger<PlatformChainActions>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(channels);
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(outbox);
        _channels = channels;
        _token = token;
        _sender = sender;
        _platform = platform;
        _outbox = outbox;
        _chainId = chainId;
        _challengePeriodSeconds = challengePeriodSeconds;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public async Task<ChainActionResult> FundNewChannelAsync(string stepKey, string payer, string payee, UInt128 amount, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(stepKey);
        if (!Address.TryParse(payer, out var payerAddress) || !Address.TryParse(payee, out var payeeAddress))
        {
            return Refused("payer and payee must be 20-byte hex addresses");
        }

        if (payerAddress == Address.Zero || payeeAddress == Address.Zero || payerAddress == payeeAddress)
        {
            return Refused("payer and payee must be two different non-zero addresses");
        }

        if (amount == UInt128.Zero)
        {
            return Refused("the amount must be above zero");
        }

        await RecoverAsync(cancellationToken).ConfigureAwait(false);
        var units = (BigInteger)amount;
        var minted = await TryAsync(stepKey + "/mint", tx => _token.MintAsync(tx, _platform.Address, units, cancellationToken)).ConfigureAwait(false);
        if (minted.Error is not null)
        {
            return Refused(minted.Error);
        }

        var approved = await TryAsync(stepKey + "/approve", tx => _token.ApproveAsync(tx, _channels.Address, units, cancellationToken)).ConfigureAwait(false);
        ChannelOpenedEvent? opened = null;
        var openError = approved.Error;
        if (openError is null)
        {
            var open = await TryAsync(
                stepKey + "/open",
                tx => _channels.OpenAsync(tx, payerAddress, payeeAddress, _token.Address, _challengePeriodSeconds, units, cancellationToken)).ConfigureAwait(false);
            opened = open.Value;
            openError = open.Error;
        }

        if (opened is null)
        {
            await UnmintAsync(stepKey, units, cancellationToken).ConfigureAwait(false);
            return Refused(openError ?? "the open transaction emitted no ChannelOpened event");
        }

        var stored = await _outbox.GetAsync(stepKey + "/open", cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Chain step '{stepKey}/open' has no stored transaction.");
        LogFunded(_logger, stepKey, opened.ChannelId.ToString(), stored.TransactionHash);
        return new ChainActionResult(ChainActionStatus.Mined, stored.TransactionHash, stored.MinedBlock ?? 0, opened.ChannelId.ToString(), null);
    }

    /// <inheritdoc />
    public async Task<ChainActionResult> TopUpChannelAsync(string stepKey, string channelId, UInt128 amount, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(stepKey);
        if (!ChannelId.TryParse(channelId, out var id))
        {
            return Refused("the channel id must be 32 bytes of hex");
        }

        if (amount == UInt128.Zero)
        {
            return Refused("the amount must be above zero");
        }

        await RecoverAsync(cancellationToken).ConfigureAwait(false);
        var opened = await _channels.FindOpenedAsync(id, BlockParameter.Latest, cancellationToken).ConfigureAwait(false);
        if (opened is null)
        {
            return Refused($"no channel {channelId} was opened on contract {_channels.Address}");
        }

        if (opened.Channel.Token != _token.Address)
        {
            return Refused($"channel {channelId} is not in the platform's stablecoin");
        }

        var units = (BigInteger)amount;
        var minted = await TryAsync(stepKey + "/mint", tx => _token.MintAsync(tx, _platform.Address, units, cancellationToken)).ConfigureAwait(false);
        if (minted.Error is not null)
        {
            return Refused(minted.Error);
        }

        var approved = await TryAsync(stepKey + "/approve", tx => _token.ApproveAsync(tx, _channels.Address, units, cancellationToken)).ConfigureAwait(false);
        var error = approved.Error;
        TransactionReceipt? receipt = null;
        if (error is null)
        {
            var topped = await TryAsync(stepKey + "/topup", tx => _channels.TopUpAsync(tx, opened.Channel, units, cancellationToken)).ConfigureAwait(false);
            receipt = topped.Value;
            error = topped.Error;
        }

        if (receipt is null)
        {
            await UnmintAsync(stepKey, units, cancellationToken).ConfigureAwait(false);
            return Refused(error ?? "the top-up was not mined");
        }

        return new ChainActionResult(ChainActionStatus.Mined, Hex.Encode(receipt.TransactionHash), receipt.BlockNumber, id.ToString(), null);
    }

    /// <inheritdoc />
    public async Task<ChainActionResult> BurnFromAsync(string stepKey, string holder, UInt128 amount, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(stepKey);
        if (!Address.TryParse(holder, out var holderAddress) || holderAddress == Address.Zero)
        {
            return Refused("the holder must be a non-zero 20-byte hex address");
        }

        if (amount == UInt128.Zero)
        {
            return Refused("the amount must be above zero");
        }

        await RecoverAsync(cancellationToken).ConfigureAwait(false);
        var burned = await TryAsync(stepKey + "/burn", tx => _token.BurnFromAsync(tx, holderAddress, (BigInteger)amount, cancellationToken)).ConfigureAwait(false);
        return burned.Value is { } receipt
            ? new ChainActionResult(ChainActionStatus.Mined, Hex.Encode(receipt.TransactionHash), receipt.BlockNumber, null, null)
            : Refused(burned.Error ?? "the burn was not mined");
    }

    /// <summary>
    /// Re-sends the outbox's transactions that have no receipt yet, in nonce order (once per instance, before the first
    /// new signature). Runs by itself on the first step; call it at start-up to recover earlier.
    /// </summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        if (_recovered)
        {
            return;
        }

        await _recovery.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_recovered)
            {
                return;
            }

            foreach (var entry in await _outbox.ListUnminedAsync(cancellationToken).ConfigureAwait(false))
            {
                if (Ethereum.Transactions.SignedTransaction.TryDecode(entry.RawTransaction.Span, _chainId, out var signed, out _))
                {
                    var held = await _sender.RebroadcastAsync(signed, cancellationToken).ConfigureAwait(false);
                    LogRebroadcast(_logger, entry.StepKey, entry.TransactionHash, held);
                }
            }

            _recovered = true;
        }
        finally
        {
            _recovery.Release();
        }
    }

    private async Task UnmintAsync(string stepKey, BigInteger units, CancellationToken cancellationToken)
    {
        // What was minted for a funding that cannot happen is burned again: supply stays equal to the reserve.
        var burned = await TryAsync(stepKey + "/unmint", tx => _token.BurnAsync(tx, units, cancellationToken)).ConfigureAwait(false);
        if (burned.Error is not null)
        {
            LogUnmintFailed(_logger, stepKey, burned.Error);
            throw new InvalidOperationException($"Chain step '{stepKey}': burning the {units} units minted for a failed funding reverted: {burned.Error}");
        }
    }

    private async Task<(T? Value, string? Error)> TryAsync<T>(string stepKey, Func<IContractTransactor, Task<T>> send)
        where T : class
    {
        // A revert at estimation or a mined status 0 surfaces as TransactionRevertedException from the outbox transactor
        // (or the channel contract's decoded form of it); anything else is not a refusal and propagates.
        var transactor = new OutboxTransactor(_sender, _platform, _outbox, stepKey, _chainId, _time);
        try
        {
            return (await send(transactor).ConfigureAwait(false), null);
        }
        catch (TransactionRevertedException ex)
        {
            return (null, ex.Reason ?? ex.Message);
        }
        catch (ChannelContractRevertException ex)
        {
            return (null, ex.ErrorName == "unknown" ? ex.Message : ex.ErrorName);
        }
    }

    private static ChainActionResult Refused(string error) => new(ChainActionStatus.Reverted, string.Empty, 0, null, error);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Chain step {StepKey}: opened channel {ChannelId} in transaction {Hash}")]
    private static partial void LogFunded(ILogger logger, string stepKey, string channelId, string hash);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "Chain step {StepKey}: re-sent stored transaction {Hash} (held by the node: {Held})")]
    private static partial void LogRebroadcast(ILogger logger, string stepKey, string hash, bool held);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Error, Message = "Chain step {StepKey}: burning back a failed funding's mint reverted: {Error}")]
    private static partial void LogUnmintFailed(ILogger logger, string stepKey, string error);
}
