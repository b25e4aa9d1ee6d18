using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Payee.Velocity;

namespace Settlement.Channels.Storage;

/// <summary>
/// Turns raw column values (as the ADO.NET reader returns them) into records. Every field is checked; a value that
/// does not decode is corruption and throws <see cref="InvalidDataException"/> naming the channel. Timestamps are
/// decoded by each store (the engines keep them differently) and passed in, null when they did not decode.
/// </summary>
internal static class StoredRows
{
    public const string VoucherTable = "voucher";
    public const string ChannelTable = "channel";
    public const string FlagTable = "velocity flag";
    public const string AgreementTable = "close agreement";
    public const string RequestTable = "close request";
    public const string RefundTable = "refund";

    /// <summary>Columns: chain_id, contract, channel_id, idempotency_key, previous, cumulative, signature, (issued_at decoded by the store).</summary>
    public static Channels.Payee.Refunds.IssuedRefund Refund(
        object? chainId, object? contract, object? channelId, object? idempotencyKey, object? previous, object? cumulative, object? signature, DateTimeOffset? issuedAt)
    {
        var key = Key(RefundTable, chainId, contract, channelId);
        if (idempotencyKey is not string id || !StorageCodec.TryDecodeAmount(previous, out var before) || !StorageCodec.TryDecodeAmount(cumulative, out var amount)
            || amount <= before || amount >= StorageCodec.VoucherAmountLimit)
        {
            throw StorageCodec.Corrupt(RefundTable, key, "the idempotency key or an amount does not decode.");
        }

        if (signature is not byte[] signatureBytes || !StorageCodec.TryCheckSignature(signatureBytes, out _) || issuedAt is not { } at)
        {
            throw StorageCodec.Corrupt(RefundTable, key, "the signature or the time is missing or invalid.");
        }

        return new Channels.Payee.Refunds.IssuedRefund(key, id, before, amount, signatureBytes, at);
    }

    /// <summary>Columns: chain_id, contract, channel_id, requested_at (decoded by the store).</summary>
    public static CloseRequest Request(object? chainId, object? contract, object? channelId, DateTimeOffset? requestedAt)
    {
        var key = Key(RequestTable, chainId, contract, channelId);
        return requestedAt is { } at ? new CloseRequest(key, at) : throw StorageCodec.Corrupt(RequestTable, key, "the request time is missing or invalid.");
    }

    /// <summary>Columns: chain_id, contract, channel_id, payer_to_payee, payee_to_payer, deadline, signature.</summary>
    public static CloseAgreement Agreement(
        object? chainId, object? contract, object? channelId, object? payerToPayee, object? payeeToPayer, object? deadline, object? signature)
    {
        var key = Key(AgreementTable, chainId, contract, channelId);
        if (!StorageCodec.TryDecodeAmount(payerToPayee, out var toPayee) || !StorageCodec.TryDecodeAmount(payeeToPayer, out var toPayer))
        {
            throw StorageCodec.Corrupt(AgreementTable, key, "an amount is not a 32-byte word.");
        }

        if (deadline is not long seconds || seconds <= 0)
        {
            throw StorageCodec.Corrupt(AgreementTable, key, "the deadline is not a positive unix time.");
        }

        if (signature is not byte[] signatureBytes || !StorageCodec.TryCheckSignature(signatureBytes, out _))
        {
            throw StorageCodec.Corrupt(AgreementTable, key, "the signature is missing or invalid.");
        }

        return new CloseAgreement(key, toPayee, toPayer, (ulong)seconds, signatureBytes);
    }

    /// <summary>Columns: chain_id, contract, channel_id, signer, cumulative, signature.</summary>
    public static StoredVoucher Voucher(
        object? chainId, object? contract, object? channelId, object? signer, object? cumulative, object? signature, DateTimeOffset? receivedAt)
    {
        var key = Key(VoucherTable, chainId, contract, channelId);
        if (!StorageCodec.TryDecodeAddress(signer, out var signerAddress))
        {
            throw StorageCodec.Corrupt(VoucherTable, key, "the signer is not 20 bytes.");
        }

        if (!StorageCodec.TryDecodeAmount(cumulative, out var amount) || amount.Sign <= 0 || amount >= StorageCodec.VoucherAmountLimit)
        {
            throw StorageCodec.Corrupt(VoucherTable, key, "the cumulative amount is not a 32-byte word between 1 and 2^96 - 1.");
        }

        if (signature is not byte[] signatureBytes)
        {
            throw StorageCodec.Corrupt(VoucherTable, key, "the signature is missing.");
        }

        if (!StorageCodec.TryCheckSignature(signatureBytes, out var error))
        {
            throw StorageCodec.Corrupt(VoucherTable, key, "the signature is invalid: " + error);
        }

        return new StoredVoucher(key, signerAddress, amount, signatureBytes, receivedAt ?? throw StorageCodec.Corrupt(VoucherTable, key, "the receipt time does not decode."));
    }

    /// <summary>
    /// Columns: chain_id, contract, channel_id, payer, payee, token, challenge_period, nonce, payer_deposit,
    /// redeemed_by_payee, payee_deposit, redeemed_by_payer, close_deadline, (settled decoded by the store), block_number.
    /// </summary>
    public static StoredChannel Channel(
        object? chainId, object? contract, object? channelId, object? payer, object? payee, object? token, object? challengePeriod, object? nonce,
        object? payerDeposit, object? redeemedByPayee, object? payeeDeposit, object? redeemedByPayer, object? closeDeadline, bool? settled, object? blockNumber)
    {
        var key = Key(ChannelTable, chainId, contract, channelId);
        if (!StorageCodec.TryDecodeAddress(payer, out var payerAddress) || !StorageCodec.TryDecodeAddress(payee, out var payeeAddress)
            || !StorageCodec.TryDecodeAddress(token, out var tokenAddress))
        {
            throw StorageCodec.Corrupt(ChannelTable, key, "the payer, payee or token is not 20 bytes.");
        }

        if (challengePeriod is not long period || period is < 0 or > uint.MaxValue || nonce is not long nonceValue)
        {
            throw StorageCodec.Corrupt(ChannelTable, key, "the challenge period or nonce is out of range.");
        }

        var amounts = new BigInteger[4];
        object?[] columns = [payerDeposit, redeemedByPayee, payeeDeposit, redeemedByPayer];
        for (var i = 0; i < amounts.Length; i++)
        {
            if (!StorageCodec.TryDecodeAmount(columns[i], out amounts[i]))
            {
                throw StorageCodec.Corrupt(ChannelTable, key, "a deposit or redeemed amount is not a 32-byte word.");
            }
        }

        if (closeDeadline is not long deadline || settled is not { } isSettled || blockNumber is not long block || block < 0)
        {
            throw StorageCodec.Corrupt(ChannelTable, key, "the close deadline, settled flag or block number does not decode.");
        }

        var parameters = new ChannelParameters(payerAddress, payeeAddress, tokenAddress, (uint)period, StorageCodec.DecodeUInt64(nonceValue));
        var view = new PayeeChannelView(key, parameters, amounts[0], amounts[1], amounts[2], amounts[3], StorageCodec.DecodeUInt64(deadline), isSettled);
        return new StoredChannel(view, (ulong)block);
    }

    /// <summary>Columns: chain_id, contract, channel_id, payer, rule, observed, threshold, (refused and raised_at decoded by the store).</summary>
    public static VelocityFlag Flag(
        object? chainId, object? contract, object? channelId, object? payer, object? rule, object? observed, object? threshold, bool? refused, DateTimeOffset? raisedAt)
    {
        var key = Key(FlagTable, chainId, contract, channelId);
        if (!StorageCodec.TryDecodeAddress(payer, out var payerAddress))
        {
            throw StorageCodec.Corrupt(FlagTable, key, "the payer is not 20 bytes.");
        }

        if (rule is not long ruleValue || ruleValue is < 0 or > byte.MaxValue || !Enum.IsDefined((VelocityRule)ruleValue))
        {
            throw StorageCodec.Corrupt(FlagTable, key, $"the rule {rule} is not a known velocity rule.");
        }

        if (!StorageCodec.TryDecodeAmount(observed, out var observedValue) || !StorageCodec.TryDecodeAmount(threshold, out var thresholdValue))
        {
            throw StorageCodec.Corrupt(FlagTable, key, "the observed value or threshold is not a 32-byte word.");
        }

        if (refused is not { } isRefused || raisedAt is not { } at)
        {
            throw StorageCodec.Corrupt(FlagTable, key, "the refused flag or the time does not decode.");
        }

        return new VelocityFlag(key, payerAddress, (VelocityRule)ruleValue, observedValue, thresholdValue, isRefused, at);
    }

    private static ChannelKey Key(string table, object? chainId, object? contract, object? channelId) =>
        StorageCodec.TryDecodeKey(chainId, contract, channelId, out var key, out var error) ? key : throw StorageCodec.CorruptKey(table, error);
}
