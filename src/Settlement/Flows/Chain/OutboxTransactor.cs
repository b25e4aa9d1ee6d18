using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;
using Settlement.Ethereum.Transactions;

namespace Settlement.Service.Flows.Chain;

/// <summary>
/// Sends the one transaction of a step through the outbox: a step already stored is re-sent as the identical bytes and
/// awaited; a new one is signed, stored, and only then broadcast (<see cref="TransactionSender.SubmitAsync(PrivateKey, Address?, ReadOnlyMemory{byte}, BigInteger, ulong?, Func{SignedTransaction, CancellationToken, Task}?, CancellationToken)"/>).
/// A stored step asked for a different transaction throws <see cref="ChainStepConflictException"/>.
/// </summary>
internal sealed class OutboxTransactor(
    TransactionSender sender, PrivateKey key, IChainOutbox outbox, string stepKey, ulong chainId, TimeProvider time) : IContractTransactor
{
    public Address Sender => key.Address;

    public async Task<TransactionReceipt> SendAsync(Address? to, ReadOnlyMemory<byte> data, BigInteger value, CancellationToken cancellationToken = default)
    {
        var signed = await ResumeOrSignAsync(to, data, value, cancellationToken).ConfigureAwait(false);
        TransactionReceipt receipt;
        try
        {
            receipt = await sender.WaitForSuccessAsync(signed, cancellationToken).ConfigureAwait(false);
        }
        catch (TransactionRevertedException ex) when (ex.Receipt is { } mined)
        {
            // Mined with status 0: the nonce is spent and the step is over.
            await outbox.MarkMinedAsync(stepKey, mined.BlockNumber, cancellationToken).ConfigureAwait(false);
            throw;
        }

        await outbox.MarkMinedAsync(stepKey, receipt.BlockNumber, cancellationToken).ConfigureAwait(false);
        return receipt;
    }

    private async Task<SignedTransaction> ResumeOrSignAsync(Address? to, ReadOnlyMemory<byte> data, BigInteger value, CancellationToken cancellationToken)
    {
        var stored = await outbox.GetAsync(stepKey, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return await sender.SubmitAsync(key, to, data, value, gasLimit: null, StoreAsync, cancellationToken).ConfigureAwait(false);
        }

        var signed = Decode(stored);
        Check(signed, to, data, value);
        if (stored.MinedBlock is null && !await sender.RebroadcastAsync(signed, cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException(
                $"Chain step '{stepKey}': the node refuses the stored transaction {stored.TransactionHash} (nonce {stored.Nonce}) and does not hold it; "
                + "its nonce was used by another transaction of the same account. The step needs an operator.");
        }

        return signed;
    }

    private async Task StoreAsync(SignedTransaction signed, CancellationToken cancellationToken)
    {
        var entry = new ChainOutboxEntry(
            stepKey,
            signed.Sender.ToString().ToLowerInvariant(),
            signed.Transaction.Nonce,
            signed.HashHex,
            signed.ToArray(),
            time.GetUtcNow());
        var kept = await outbox.AddAsync(entry, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(kept.TransactionHash, entry.TransactionHash, StringComparison.Ordinal))
        {
            throw new ChainStepConflictException(stepKey, $"transaction {kept.TransactionHash} was stored for it first");
        }
    }

    private SignedTransaction Decode(ChainOutboxEntry stored)
    {
        if (!SignedTransaction.TryDecode(stored.RawTransaction.Span, chainId, out var signed, out var error))
        {
            throw new InvalidOperationException($"Chain step '{stepKey}': the stored transaction does not decode ({error}).");
        }

        return signed;
    }

    private void Check(SignedTransaction signed, Address? to, ReadOnlyMemory<byte> data, BigInteger value)
    {
        var tx = signed.Transaction;
        if (signed.Sender != key.Address || tx.To != to || tx.Value != value || !tx.Data.AsSpan().SequenceEqual(data.Span))
        {
            throw new ChainStepConflictException(stepKey, $"the stored transaction {signed.HashHex} has another sender, recipient, value or call data");
        }
    }
}
