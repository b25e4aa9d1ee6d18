using System.Collections.Concurrent;
using System.Numerics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee;
using Settlement.Channels.Payer.Delivery;
using Settlement.Channels.Payer.Storage;
using Settlement.Channels.Tokens;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Payer;

/// <summary>
/// The payer SDK's entry point for one channel contract on one chain: opens channels (ETH, ERC-20, ERC-20 with
/// permit, or funded by someone else on the payer's behalf), finds them again after a restart (from the
/// <see cref="IPayerStore"/>), and hands out one <see cref="PayerChannel"/> per channel. Owns the group-commit writer
/// and the payee connections; dispose it to stop them. The key stays the caller's (not disposed here).
/// </summary>
public sealed class PayerClient : IAsyncDisposable
{
    private readonly ConcurrentDictionary<ChannelId, Lazy<Task<PayerChannel?>>> _channels = new();
    private readonly ConcurrentDictionary<Uri, PayeeLink> _links = new();

    /// <summary>Creates a client; nothing is read or connected until a channel is used.</summary>
    /// <param name="contract">The channel contract (fixes the chain id and the voucher domain).</param>
    /// <param name="rpc">The chain node (state reads, chain time).</param>
    /// <param name="payerKey">The payer's key: signs vouchers and close states. Not disposed by the client.</param>
    /// <param name="store">The payer's durable state.</param>
    /// <param name="options">Clock, transactor, back-off; defaults when null.</param>
    public PayerClient(ChannelContract contract, EthereumRpcClient rpc, PrivateKey payerKey, IPayerStore store, PayerClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(rpc);
        ArgumentNullException.ThrowIfNull(payerKey);
        ArgumentNullException.ThrowIfNull(store);
        Contract = contract;
        Rpc = rpc;
        Key = payerKey;
        Store = store;
        Options = options ?? new PayerClientOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(Options.DepositConfirmations, nameof(options));
        if (Options.DepositPollInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), Options.DepositPollInterval, "DepositPollInterval must be positive.");
        }

        Confirmed = new ConfirmedChannelReader(contract, rpc, Options.DepositConfirmations);
        Batcher = new PayerWriteBatcher(store);
        Payer = payerKey.Address;
    }

    /// <summary>The payer's address.</summary>
    public Address Payer { get; }

    /// <summary>The chain id.</summary>
    public ulong ChainId => Contract.Domain.ChainId;

    /// <summary>The channel contract.</summary>
    public ChannelContract Contract { get; }

    /// <summary>The settings.</summary>
    public PayerClientOptions Options { get; }

    internal EthereumRpcClient Rpc { get; }

    internal PrivateKey Key { get; }

    internal IPayerStore Store { get; }

    internal PayerWriteBatcher Batcher { get; }

    internal ConfirmedChannelReader Confirmed { get; }

    /// <summary>
    /// Opens a channel from the payer and keeps it in the store. The funder (<see cref="OpenChannelRequest.Funder"/>,
    /// else the client's transactor) sends the transaction and pays the deposit; the payer is always this client's key.
    /// </summary>
    public async Task<PayerChannel> OpenAsync(OpenChannelRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Deposit.Sign <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(request), "A channel needs a positive deposit.");
        }

        var funder = request.Funder ?? RequireTransactor();
        Contracts.Events.ChannelOpenedEvent opened;
        if (request.Token != Address.Zero && request.Funding == ChannelFunding.Permit)
        {
            var permit = request.Permit ?? throw new ArgumentException("ChannelFunding.Permit needs a permit signature.", nameof(request));
            opened = await Contract.OpenWithPermitAsync(
                funder, Payer, request.Payee, request.Token, request.ChallengePeriodSeconds, request.Deposit, request.PermitDeadline, permit, cancellationToken)
                .ConfigureAwait(false);
        }
        else
        {
            if (request.Token != Address.Zero && request.Funding == ChannelFunding.Approve)
            {
                await ApproveAsync(funder, request.Token, request.Deposit, cancellationToken).ConfigureAwait(false);
            }

            opened = await Contract.OpenAsync(funder, Payer, request.Payee, request.Token, request.ChallengePeriodSeconds, request.Deposit, cancellationToken)
                .ConfigureAwait(false);
        }

        var (deposit, payeeDeposit) = Options.DepositConfirmations == 0
            ? (opened.Deposit, BigInteger.Zero)
            : await ReadConfirmedDepositsAsync(opened.Channel.Id, null, cancellationToken).ConfigureAwait(false);
        return await TrackAsync(opened.Channel, deposit, payeeDeposit, request.PayeeStreamUrl, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts using a channel someone else opened for this payer (the platform after a bank top-up): reads its state from
    /// the chain and keeps it in the store. Returns the existing instance if the channel is already known.
    /// </summary>
    /// <exception cref="ArgumentException">The channel's payer is not this client's key.</exception>
    /// <exception cref="InvalidOperationException">The channel does not exist on chain.</exception>
    public async Task<PayerChannel> AdoptAsync(ChannelParameters parameters, Uri? payeeStreamUrl = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Payer != Payer)
        {
            throw new ArgumentException($"Channel {parameters.Id} pays from {parameters.Payer}, not from this payer {Payer}.", nameof(parameters));
        }

        if (await GetChannelAsync(parameters.Id, cancellationToken).ConfigureAwait(false) is { } known)
        {
            return known;
        }

        var state = await Contract.GetStateAsync(parameters.Id, null, cancellationToken).ConfigureAwait(false);
        if (!state.Exists)
        {
            throw new InvalidOperationException($"Channel {parameters.Id} does not exist in {Contract.Address} on chain {ChainId}.");
        }

        var (deposit, payeeDeposit) = await ReadConfirmedDepositsAsync(parameters.Id, state, cancellationToken).ConfigureAwait(false);
        return await TrackAsync(parameters, deposit, payeeDeposit, payeeStreamUrl, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A known channel (loaded from the store once, then shared), or null.</summary>
    public async Task<PayerChannel?> GetChannelAsync(ChannelId channelId, CancellationToken cancellationToken = default)
    {
        var lazy = _channels.GetOrAdd(channelId, id => new Lazy<Task<PayerChannel?>>(() => LoadAsync(id)));
        PayerChannel? channel;
        try
        {
            channel = await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A store fault while loading is not cached: the next call reads the store again.
            _channels.TryRemove(new KeyValuePair<ChannelId, Lazy<Task<PayerChannel?>>>(channelId, lazy));
            throw;
        }

        if (channel is null)
        {
            _channels.TryRemove(new KeyValuePair<ChannelId, Lazy<Task<PayerChannel?>>>(channelId, lazy));
        }

        return channel;
    }

    /// <summary>
    /// An open channel of this payer to <paramref name="payee"/> in <paramref name="token"/> with at least
    /// <paramref name="minimumRemaining"/> left to sign, or null. The newest such channel wins.
    /// </summary>
    public async Task<PayerChannel?> FindOpenAsync(Address payee, Address token, BigInteger minimumRemaining, CancellationToken cancellationToken = default)
    {
        var all = await Store.ListChannelsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var stored in all.Where(c => c.Record.Key.ChainId == ChainId && c.Record.Key.Contract == Contract.Address).OrderByDescending(c => c.Record.Parameters.Nonce))
        {
            var p = stored.Record.Parameters;
            if (p.Payer != Payer || p.Payee != payee || p.Token != token || stored.Record.Status != PayerChannelStatus.Open)
            {
                continue;
            }

            var channel = await GetChannelAsync(p.Id, cancellationToken).ConfigureAwait(false);
            if (channel is { Status: PayerChannelStatus.Open } && channel.Remaining >= minimumRemaining && channel.Remaining > 0)
            {
                return channel;
            }
        }

        return null;
    }

    /// <summary>
    /// The channel a pay-per-request client needs: an open channel on (<paramref name="chainId"/>,
    /// <paramref name="contract"/>) to the request's payee in its token with at least <paramref name="minimumRemaining"/>
    /// left, or a new one opened with the request's deposit.
    /// </summary>
    /// <exception cref="ArgumentException">The chain id or contract is not this client's.</exception>
    public async Task<PayerChannel> FindOrOpenAsync(
        ulong chainId, Address contract, OpenChannelRequest request, BigInteger minimumRemaining, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (chainId != ChainId || contract != Contract.Address)
        {
            throw new ArgumentException($"This payer client serves chain {ChainId} contract {Contract.Address}, not chain {chainId} contract {contract}.");
        }

        return await FindOpenAsync(request.Payee, request.Token, minimumRemaining, cancellationToken).ConfigureAwait(false)
            ?? await OpenAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every channel in the store (this and other contracts), with its voucher state.</summary>
    public Task<IReadOnlyList<StoredPayerChannel>> ListChannelsAsync(CancellationToken cancellationToken = default) =>
        Store.ListChannelsAsync(cancellationToken);

    /// <summary>Stops the payee connections and the writer (queued writes finish first).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var link in _links.Values)
        {
            await link.DisposeAsync().ConfigureAwait(false);
        }

        await Batcher.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// The deposits the payer may rely on: read at <c>head − DepositConfirmations</c> (0 while the channel is not that
    /// deep yet), never above the newest block's (<paramref name="latest"/>, read here when null).
    /// </summary>
    internal async Task<(BigInteger Deposit, BigInteger PayeeDeposit)> ReadConfirmedDepositsAsync(ChannelId id, ChannelState? latest, CancellationToken cancellationToken)
    {
        latest ??= await Contract.GetStateAsync(id, null, cancellationToken).ConfigureAwait(false);
        if (Options.DepositConfirmations == 0)
        {
            return (latest.PayerDeposit, latest.PayeeDeposit);
        }

        var confirmed = await Confirmed.GetConfirmedStateAsync(id, cancellationToken).ConfigureAwait(false);
        return confirmed.Exists
            ? (BigInteger.Min(confirmed.PayerDeposit, latest.PayerDeposit), BigInteger.Min(confirmed.PayeeDeposit, latest.PayeeDeposit))
            : (BigInteger.Zero, BigInteger.Zero);
    }

    internal IContractTransactor RequireTransactor() =>
        Options.Transactor ?? throw new InvalidOperationException("This call sends a transaction: set PayerClientOptions.Transactor or pass a funder.");

    internal async Task ApproveAsync(IContractTransactor owner, Address token, BigInteger amount, CancellationToken cancellationToken) =>
        await new StablecoinContract(Rpc, token).ApproveAsync(owner, Contract.Address, amount, cancellationToken).ConfigureAwait(false);

    private async Task<PayerChannel> TrackAsync(ChannelParameters parameters, BigInteger deposit, BigInteger payeeDeposit, Uri? payeeStreamUrl, CancellationToken cancellationToken)
    {
        var key = new ChannelKey(ChainId, Contract.Address, parameters.Id);
        await Store.SaveChannelAsync(new PayerChannelRecord(key, parameters, deposit, payeeDeposit, payeeStreamUrl, PayerChannelStatus.Open), cancellationToken)
            .ConfigureAwait(false);
        return await GetChannelAsync(parameters.Id, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Channel {key} was saved but cannot be read back from the store.");
    }

    private async Task<PayerChannel?> LoadAsync(ChannelId id)
    {
        var key = new ChannelKey(ChainId, Contract.Address, id);
        var stored = await Store.GetChannelAsync(key).ConfigureAwait(false);
        if (stored is null)
        {
            return null;
        }

        var receipts = await Store.ListReceiptsAsync(key).ConfigureAwait(false);
        var link = stored.Record.PayeeStreamUrl is { } url ? LinkFor(url) : null;
        var channel = new PayerChannel(this, stored, receipts.Count == 0 ? null : receipts.MaxBy(r => r.Cumulative), link);
        if (link is not null)
        {
            link.Connected += channel.OnLinkConnectedAsync;
            link.ReceiptReceived += channel.OnReceipt;
            link.RefundReceived += channel.OnRefund;
            if (link.IsConnected && stored.Exposure > 0)
            {
                _ = channel.OnConnectedAsync();
            }

            link.Start();
        }

        return channel;
    }

    private PayeeLink LinkFor(Uri url) =>
        _links.GetOrAdd(url, u => new PayeeLink(u, ChainId, Contract.Address, Options, Options.LoggerFactory?.CreateLogger<PayeeLink>() ?? (ILogger)NullLogger.Instance));
}
