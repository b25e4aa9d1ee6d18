using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Hashing;
using Settlement.Ethereum.Signing;

namespace Settlement.Benchmarks.Payee;

/// <summary>
/// Channels of one deployment for the in-process benchmarks, with vouchers signed before any timing starts (signing
/// is the payer's cost, not the payee's). Channel <c>i</c> is payer → payee with nonce <c>i</c>; its vouchers carry
/// cumulative amounts 1, 2, 3… Also an <see cref="IChannelViewSource"/> that builds each view when the engine asks
/// for it, so a view is allocated by (and counted against) the engine that holds it.
/// </summary>
internal sealed class BenchChannels : IChannelViewSource, IDisposable
{
    public const ulong ChainId = 31337;
    public static readonly Address Contract = Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3");
    public static readonly BigInteger Deposit = BigInteger.Pow(10, 24);

    private readonly PrivateKey[] _payers;
    private readonly Address _payee;
    private readonly Dictionary<ChannelKey, int> _index;

    /// <param name="count">Channels.</param>
    /// <param name="payers">Distinct payer keys; channel i belongs to payer i mod payers.</param>
    public BenchChannels(int count, int payers)
    {
        _payers = Enumerable.Range(0, payers).Select(i => PrivateKey.Create(Keccak256.HashUtf8($"bench payer {i}"))).ToArray();
        _payee = Address.FromBytes(Keccak256.HashUtf8("bench payee").AsSpan(0, 20));
        TypedData = ChannelTypedData.ForContract(ChainId, Contract);
        Keys = new ChannelKey[count];
        _index = new Dictionary<ChannelKey, int>(count);
        for (var i = 0; i < count; i++)
        {
            Keys[i] = new ChannelKey(ChainId, Contract, Parameters(i).Id);
            _index[Keys[i]] = i;
        }
    }

    public ChannelTypedData TypedData { get; }

    public ChannelKey[] Keys { get; }

    public PayeeOptions Options(int maxBatch = 1024) =>
        new() { ChainId = ChainId, Contract = Contract.ToString(), MaxBatchSize = maxBatch };

    /// <summary>
    /// Vouchers with amounts <paramref name="from"/> … <paramref name="from"/> + <paramref name="perChannel"/> − 1 for
    /// every channel, in submission order: round-robin over the channels, so each channel's amounts rise.
    /// </summary>
    public VoucherSubmission[] Sign(int perChannel, int from = 1)
    {
        var result = new VoucherSubmission[perChannel * Keys.Length];
        Parallel.For(0, Keys.Length, c =>
        {
            var key = _payers[c % _payers.Length];
            for (var v = 0; v < perChannel; v++)
            {
                BigInteger amount = from + v;
                var signature = TypedData.SignVoucher(key, Keys[c].ChannelId.Bytes, amount);
                result[(v * Keys.Length) + c] = new VoucherSubmission(Keys[c], amount, signature.ToRsv());
            }
        });
        return result;
    }

    public Task<StoredChannel?> GetConfirmedAsync(ChannelKey key, CancellationToken cancellationToken = default) =>
        Task.FromResult(_index.TryGetValue(key, out var i)
            ? new StoredChannel(new PayeeChannelView(key, Parameters(i), Deposit, 0, 0, 0, 0, Settled: false), 1)
            : null);

    public void Dispose()
    {
        foreach (var payer in _payers)
        {
            payer.Dispose();
        }
    }

    private ChannelParameters Parameters(int i) => new(_payers[i % _payers.Length].Address, _payee, Address.Zero, 3600, (ulong)i);
}
