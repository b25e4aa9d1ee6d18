using Settlement.Ethereum.Addresses;

namespace Settlement.Ethereum.Rpc;

/// <summary>
/// A nonce reserved by <see cref="NonceManager"/>. Call <see cref="Commit"/> once the node holds the
/// transaction, or <see cref="Release"/> if it was never sent. Disposing an uncompleted reservation
/// releases it.
/// </summary>
public sealed class NonceReservation : IDisposable
{
    private readonly NonceManager _owner;
    private int _completed;

    internal NonceReservation(NonceManager owner, Address account, ulong nonce)
    {
        _owner = owner;
        Account = account;
        Nonce = nonce;
    }

    /// <summary>The sending account.</summary>
    public Address Account { get; }

    /// <summary>The reserved nonce.</summary>
    public ulong Nonce { get; }

    /// <summary>The nonce was used by a transaction the node accepted.</summary>
    public void Commit()
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _owner.Complete(Account, Nonce, used: true);
        }
    }

    /// <summary>The nonce was not used; it is handed out again.</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _owner.Complete(Account, Nonce, used: false);
        }
    }

    /// <summary>Releases the nonce unless it was committed.</summary>
    public void Dispose() => Release();
}
