using System.Numerics;
using Nethereum.ABI.Model;
using Nethereum.Contracts;
using Settlement.Channels.Contracts.Events;
using Settlement.Channels.Generated;
using Settlement.Channels.Generated.SettlementChannelsContract;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Abi;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Contracts;

/// <summary>
/// A thin client for one deployed <c>SettlementChannels</c> contract: encodes its calls with the generated ABI,
/// sends them through an <see cref="IContractTransactor"/>, reads state with <c>eth_call</c> and decodes its
/// events. The protocol is described in docs/protocol.md.
/// </summary>
public sealed class ChannelContract
{
    private readonly EthereumRpcClient _rpc;

    /// <summary>Binds to the contract at <paramref name="address"/> on the chain <paramref name="rpc"/> serves.</summary>
    public ChannelContract(EthereumRpcClient rpc, Address address)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        _rpc = rpc;
        Address = address;
        Domain = new ChannelDomain(rpc.ChainId, address);
    }

    /// <summary>
    /// Binds to the contract at <paramref name="address"/> through a Nethereum <see cref="Nethereum.Web3.IWeb3"/> an
    /// application already holds: reads go through <c>web3.Client</c> (with our retries and errors), and
    /// <see cref="Web3Transactor"/> sends through its account. <paramref name="chainId"/> fixes the voucher domain and is
    /// checked against the node here, before the contract can be used.
    /// </summary>
    /// <exception cref="ChainIdMismatchException">The node behind <paramref name="web3"/> serves another chain.</exception>
    public static async Task<ChannelContract> FromWeb3Async(
        Nethereum.Web3.IWeb3 web3, Address address, ulong chainId, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default) =>
        new(await Web3Rpc.ConnectAsync(web3, chainId, timeProvider, cancellationToken).ConfigureAwait(false), address);

    /// <summary>The contract's custom errors (from the generated error types), for decoding revert data.</summary>
    public static IReadOnlyList<ErrorABI> Errors { get; } = SettlementChannelsErrors.All.Select(ABITypedRegistry.GetError).ToArray();

    /// <summary>The contract's address.</summary>
    public Address Address { get; }

    /// <summary>The EIP-712 domain vouchers for this contract are signed in.</summary>
    public ChannelDomain Domain { get; }

    /// <summary>Deploys a new channel contract.</summary>
    public static async Task<ChannelContract> DeployAsync(EthereumRpcClient rpc, IContractTransactor deployer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        ArgumentNullException.ThrowIfNull(deployer);
        var receipt = await deployer.SendAsync(null, ContractArtifact.SettlementChannels.Bytecode.ToArray(), BigInteger.Zero, cancellationToken)
            .ConfigureAwait(false);
        if (!receipt.Succeeded || receipt.ContractAddress is not { } address)
        {
            throw new ChannelContractRevertException("constructor", null, null);
        }

        return new ChannelContract(rpc, address);
    }

    /// <summary>Signs a voucher for this contract's domain.</summary>
    public SignedVoucher SignVoucher(PrivateKey signer, ChannelId channelId, BigInteger cumulativeAmount)
    {
        var voucher = new Voucher(channelId, cumulativeAmount);
        return new SignedVoucher(voucher, voucher.Sign(signer, Domain));
    }

    // ------------------------------------------------------------------ transactions

    /// <summary>
    /// Opens a channel funded by <paramref name="funder"/> (ETH when <paramref name="token"/> is zero). The channel's
    /// nonce is the opening block's number, read from the <c>ChannelOpened</c> event; a reorg can move the open to
    /// another block and so change the id (docs/protocol.md, "Channel identity"). A second open with the same parameters
    /// in the same block reverts with <c>ChannelExists</c>.
    /// </summary>
    public async Task<ChannelOpenedEvent> OpenAsync(
        IContractTransactor funder, Address payer, Address payee, Address token, uint challengePeriodSeconds, BigInteger amount,
        CancellationToken cancellationToken = default)
    {
        var value = token == Address.Zero ? amount : BigInteger.Zero;
        var receipt = await SendAsync(
            funder,
            new OpenFunction { Payer = ContractMessages.Hex(payer), Payee = ContractMessages.Hex(payee), Token = ContractMessages.Hex(token), ChallengePeriod = challengePeriodSeconds, Amount = amount },
            value,
            cancellationToken).ConfigureAwait(false);
        return DecodeEvents(receipt.Logs).OfType<ChannelOpenedEvent>().Single();
    }

    /// <summary>Opens an ERC-20 channel in one transaction with an EIP-2612 permit signed by <paramref name="funder"/>.</summary>
    public async Task<ChannelOpenedEvent> OpenWithPermitAsync(
        IContractTransactor funder, Address payer, Address payee, Address token, uint challengePeriodSeconds, BigInteger amount,
        BigInteger permitDeadline, EcdsaSignature permit, CancellationToken cancellationToken = default)
    {
        var receipt = await SendAsync(
            funder,
            new OpenWithPermitFunction
            {
                Payer = ContractMessages.Hex(payer),
                Payee = ContractMessages.Hex(payee),
                Token = ContractMessages.Hex(token),
                ChallengePeriod = challengePeriodSeconds,
                Amount = amount,
                PermitDeadline = permitDeadline,
                Permit = Signature(permit),
            },
            BigInteger.Zero,
            cancellationToken).ConfigureAwait(false);
        return DecodeEvents(receipt.Logs).OfType<ChannelOpenedEvent>().Single();
    }

    /// <summary>Adds to the payer's deposit.</summary>
    public Task<TransactionReceipt> TopUpAsync(IContractTransactor funder, ChannelParameters channel, BigInteger amount, CancellationToken cancellationToken = default) =>
        SendAsync(funder, new TopUpFunction { C = Tuple(channel), Amount = amount }, ValueFor(channel, amount), cancellationToken);

    /// <summary>Adds to the payee's deposit (payments payee → payer).</summary>
    public Task<TransactionReceipt> TopUpPayeeAsync(IContractTransactor funder, ChannelParameters channel, BigInteger amount, CancellationToken cancellationToken = default) =>
        SendAsync(funder, new TopUpPayeeFunction { C = Tuple(channel), Amount = amount }, ValueFor(channel, amount), cancellationToken);

    /// <summary>Redeems a voucher (partial withdraw, or the challenge while closing); anyone may send it.</summary>
    public Task<TransactionReceipt> RedeemAsync(IContractTransactor sender, ChannelParameters channel, SignedVoucher voucher, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(voucher);
        return SendAsync(
            sender,
            new RedeemFunction { C = Tuple(channel), CumulativeAmount = voucher.Voucher.CumulativeAmount, Sig = Signature(voucher.Signature) },
            BigInteger.Zero,
            cancellationToken);
    }

    /// <summary>
    /// The payee redeems payer vouchers of many <paramref name="token"/> channels in one transaction (the vouchers are
    /// sent in the packed form of <see cref="EncodeBatch"/>). An item that can no longer be paid (already redeemed at or
    /// beyond its amount, settled, past its challenge period) is skipped and the rest paid; a bad signature or an amount
    /// above a deposit reverts the whole batch. <see cref="BatchOutcomes"/> reads what happened to each item from the
    /// receipt.
    /// </summary>
    public Task<TransactionReceipt> RedeemBatchAsync(
        IContractTransactor payee, Address token, IReadOnlyList<(ChannelParameters Channel, SignedVoucher Voucher)> vouchers,
        CancellationToken cancellationToken = default) =>
        SendAsync(payee, new RedeemBatchFunction { Token = ContractMessages.Hex(token), Batch = EncodeBatch(vouchers) }, BigInteger.Zero, cancellationToken);

    /// <summary>Size in bytes of one packed batch item (the contract's <c>_BATCH_ITEM_SIZE</c>).</summary>
    public const int BatchItemSize = 101;

    /// <summary>Size in bytes of a packed batch's header: the challenge period its channels share.</summary>
    public const int BatchHeaderSize = 4;

    /// <summary>Largest channel nonce a batch item carries (40 bits; a nonce is the opening block's number).</summary>
    public const ulong MaxBatchNonce = (1UL << 40) - 1;

    /// <summary>
    /// Packs payer vouchers for <c>redeemBatch</c> (docs/protocol.md, "Batch encoding"): the challenge period the
    /// channels share (4 bytes), then per item, big-endian and unpadded, payer (20 bytes) | nonce (5) | cumulative
    /// amount (12) | r (32) | vs (32), where vs is the EIP-2098 compact form (s with the top bit set when the recovery
    /// id is 1).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The list is empty, its channels do not share one challenge period, a nonce does not fit in 40 bits, or an amount
    /// is negative or does not fit in 96 bits.
    /// </exception>
    public static byte[] EncodeBatch(IReadOnlyList<(ChannelParameters Channel, SignedVoucher Voucher)> vouchers)
    {
        ArgumentNullException.ThrowIfNull(vouchers);
        if (vouchers.Count == 0)
        {
            throw new ArgumentException("A batch needs at least one voucher.", nameof(vouchers));
        }

        ArgumentNullException.ThrowIfNull(vouchers[0].Channel, nameof(vouchers));
        var challengePeriod = vouchers[0].Channel.ChallengePeriodSeconds;
        var data = new byte[BatchHeaderSize + (vouchers.Count * BatchItemSize)];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(data, challengePeriod);
        for (var i = 0; i < vouchers.Count; i++)
        {
            var (channel, voucher) = vouchers[i];
            ArgumentNullException.ThrowIfNull(channel, nameof(vouchers));
            ArgumentNullException.ThrowIfNull(voucher, nameof(vouchers));
            if (channel.ChallengePeriodSeconds != challengePeriod)
            {
                throw new ArgumentException("The channels of a batch must share one challenge period.", nameof(vouchers));
            }

            if (channel.Nonce > MaxBatchNonce)
            {
                throw new ArgumentException("A batch nonce must fit in 40 bits.", nameof(vouchers));
            }

            var amount = voucher.Voucher.CumulativeAmount;
            if (amount.Sign < 0 || amount.GetByteCount(isUnsigned: true) > 12)
            {
                throw new ArgumentException("A batch amount must fit in 96 bits.", nameof(vouchers));
            }

            var item = data.AsSpan(BatchHeaderSize + (i * BatchItemSize), BatchItemSize);
            channel.Payer.Bytes.CopyTo(item);
            for (var j = 0; j < 5; j++)
            {
                item[20 + j] = (byte)(channel.Nonce >> (8 * (4 - j)));
            }

            var amountBytes = item.Slice(25, 12);
            _ = amount.TryWriteBytes(amountBytes[(12 - amount.GetByteCount(isUnsigned: true))..], out _, isUnsigned: true, isBigEndian: true);
            voucher.Signature.R.CopyTo(item[37..]);
            voucher.Signature.S.CopyTo(item[69..]);
            if (voucher.Signature.RecoveryId == 1)
            {
                item[69] |= 0x80;
            }
        }

        return data;
    }

    /// <summary>
    /// What <c>redeemBatch</c> did with each item of <paramref name="vouchers"/> (the list sent with
    /// <see cref="RedeemBatchAsync"/>), in the list's order, from the <c>BatchRedeemed</c> and <c>BatchItemSkipped</c>
    /// logs that <paramref name="contract"/> emitted in <paramref name="receipt"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The receipt does not account for every item (another transaction's receipt).</exception>
    public static IReadOnlyList<BatchItemOutcome> BatchOutcomes(
        TransactionReceipt receipt, Address contract, IReadOnlyList<(ChannelParameters Channel, SignedVoucher Voucher)> vouchers)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        ArgumentNullException.ThrowIfNull(vouchers);
        var redeemed = new List<BatchVoucherRedeemedEvent>();
        var skipped = new List<BatchItemSkippedEvent>();
        foreach (var log in receipt.Logs.Where(l => l.Address == contract))
        {
            if (TryDecodeEvents(log, out var events))
            {
                redeemed.AddRange(events.OfType<BatchVoucherRedeemedEvent>());
                skipped.AddRange(events.OfType<BatchItemSkippedEvent>());
            }
        }

        // Both kinds are emitted in batch order, so each item takes the first unused match of its own kind.
        var outcomes = new List<BatchItemOutcome>(vouchers.Count);
        int r = 0, k = 0;
        foreach (var (channel, voucher) in vouchers)
        {
            var id = channel.Id;
            var amount = voucher.Voucher.CumulativeAmount;
            if (r < redeemed.Count && redeemed[r].ChannelId == id && redeemed[r].CumulativeAmount == amount)
            {
                outcomes.Add(new BatchItemRedeemed(id, amount));
                r++;
            }
            else if (k < skipped.Count && skipped[k].ChannelId == id && skipped[k].CumulativeAmount == amount)
            {
                outcomes.Add(new BatchItemSkipped(id, amount, skipped[k].Reason));
                k++;
            }
            else
            {
                throw new ArgumentException($"The receipt has no outcome for batch item {outcomes.Count} (channel {id}).", nameof(receipt));
            }
        }

        return outcomes;
    }

    /// <summary>Starts a unilateral close (payer or payee).</summary>
    public Task<TransactionReceipt> StartCloseAsync(IContractTransactor sender, ChannelParameters channel, CancellationToken cancellationToken = default) =>
        SendAsync(sender, new StartCloseFunction { C = Tuple(channel) }, BigInteger.Zero, cancellationToken);

    /// <summary>Redeems the newest voucher the sender holds and starts a unilateral close.</summary>
    public Task<TransactionReceipt> StartCloseWithVoucherAsync(IContractTransactor sender, ChannelParameters channel, SignedVoucher voucher, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(voucher);
        return SendAsync(
            sender,
            new StartCloseWithVoucherFunction { C = Tuple(channel), CumulativeAmount = voucher.Voucher.CumulativeAmount, Sig = Signature(voucher.Signature) },
            BigInteger.Zero,
            cancellationToken);
    }

    /// <summary>Pays out a closing channel after its challenge period (anyone may send it).</summary>
    public Task<TransactionReceipt> SettleAsync(IContractTransactor sender, ChannelParameters channel, CancellationToken cancellationToken = default) =>
        SendAsync(sender, new SettleFunction { C = Tuple(channel) }, BigInteger.Zero, cancellationToken);

    /// <summary>
    /// Closes with a final state both parties signed; a party sending it may pass null for its own signature. The
    /// contract refuses it after <see cref="CooperativeCloseState.Deadline"/> (<c>CloseAgreementExpired</c>) and in the
    /// channel's opening block (<c>CloseInOpeningBlock</c>).
    /// </summary>
    public Task<TransactionReceipt> CooperativeCloseAsync(
        IContractTransactor sender, ChannelParameters channel, CooperativeCloseState state, EcdsaSignature? payerSignature,
        EcdsaSignature? payeeSignature, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        return SendAsync(
            sender,
            new CooperativeCloseFunction
            {
                C = Tuple(channel),
                PayerToPayee = state.PayerToPayee,
                PayeeToPayer = state.PayeeToPayer,
                Deadline = state.Deadline,
                PayerSig = Signature(payerSignature),
                PayeeSig = Signature(payeeSignature),
            },
            BigInteger.Zero,
            cancellationToken);
    }

    /// <summary>Takes the sender's deferred payouts in <paramref name="token"/>, sent to <paramref name="to"/>.</summary>
    public Task<TransactionReceipt> WithdrawOwedAsync(IContractTransactor sender, Address token, Address to, CancellationToken cancellationToken = default) =>
        SendAsync(sender, new WithdrawOwedFunction { Token = ContractMessages.Hex(token), To = ContractMessages.Hex(to) }, BigInteger.Zero, cancellationToken);

    // ------------------------------------------------------------------ reads

    /// <summary>The channel's state at <paramref name="block"/> (latest by default).</summary>
    public async Task<ChannelState> GetStateAsync(ChannelId channelId, BlockParameter? block = null, CancellationToken cancellationToken = default)
    {
        var output = await CallAsync(new ChannelStateFunction { ChannelId = channelId.Bytes.ToArray() }, block, cancellationToken).ConfigureAwait(false);
        var r = ContractMessages.DecodeOutputs<ChannelStateFunction, ChannelStateOutput>(output);
        return new ChannelState(r.Exists, r.PayerDeposit, r.RedeemedByPayee, r.PayeeDeposit, r.RedeemedByPayer, r.CloseDeadline);
    }

    /// <summary>Deferred payouts of <paramref name="owner"/> in <paramref name="token"/>.</summary>
    public async Task<BigInteger> GetOwedAsync(Address token, Address owner, CancellationToken cancellationToken = default)
    {
        var output = await CallAsync(new OwedFunction { Token = ContractMessages.Hex(token), Owner = ContractMessages.Hex(owner) }, null, cancellationToken)
            .ConfigureAwait(false);
        return ContractMessages.DecodeSingle<OwedFunction, BigInteger>(output);
    }

    /// <summary>The contract's EIP-712 domain separator.</summary>
    public async Task<byte[]> GetDomainSeparatorAsync(CancellationToken cancellationToken = default) =>
        ContractMessages.DecodeSingle<DomainSeparatorFunction, byte[]>(await CallAsync(new DomainSeparatorFunction(), null, cancellationToken).ConfigureAwait(false));

    /// <summary>The contract's events between two blocks, in chain order.</summary>
    public async Task<IReadOnlyList<ChannelEvent>> GetEventsAsync(BlockParameter fromBlock, BlockParameter toBlock, CancellationToken cancellationToken = default)
    {
        var logs = await _rpc.GetLogsAsync(new LogFilter { FromBlock = fromBlock, ToBlock = toBlock, Addresses = [Address] }, cancellationToken)
            .ConfigureAwait(false);
        return DecodeEvents(logs);
    }

    /// <summary>
    /// The <c>ChannelOpened</c> event of <paramref name="channelId"/> up to <paramref name="toBlock"/> (filtered by the
    /// indexed channel id on the node), or null if the channel was not opened in that range.
    /// </summary>
    public async Task<ChannelOpenedEvent?> FindOpenedAsync(ChannelId channelId, BlockParameter toBlock, CancellationToken cancellationToken = default)
    {
        var filter = new LogFilter
        {
            FromBlock = BlockParameter.Earliest,
            ToBlock = toBlock,
            Addresses = [Address],
            Topics = [[Convert.FromHexString(ChannelOpenedTopic0)], [channelId.Bytes.ToArray()]],
        };
        var logs = await _rpc.GetLogsAsync(filter, cancellationToken).ConfigureAwait(false);
        return DecodeEvents(logs).OfType<ChannelOpenedEvent>().FirstOrDefault(e => e.ChannelId == channelId && !e.Removed);
    }

    // ------------------------------------------------------------------ events

    /// <summary>
    /// Decodes this contract's logs among <paramref name="logs"/>, in order; other logs are skipped. A
    /// <c>BatchRedeemed</c> log gives one <see cref="BatchVoucherRedeemedEvent"/> per item.
    /// </summary>
    public IReadOnlyList<ChannelEvent> DecodeEvents(IEnumerable<LogEntry> logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        var events = new List<ChannelEvent>();
        foreach (var log in logs)
        {
            if (log.Address == Address && TryDecodeEvents(log, out var decoded))
            {
                events.AddRange(decoded);
            }
        }

        return events;
    }

    /// <summary>
    /// Decodes one log of a channel contract into its events: one for every event except <c>BatchRedeemed</c>, which
    /// gives one <see cref="BatchVoucherRedeemedEvent"/> per redeemed item (all with the log's position, told apart by
    /// <see cref="BatchVoucherRedeemedEvent.Item"/>). False if it is not one of its events or its topics and data do not
    /// have the event's shape. Never throws on a malformed log.
    /// </summary>
    public static bool TryDecodeEvents(LogEntry log, out IReadOnlyList<ChannelEvent> channelEvents) =>
        TryDecodeEvents(log, out channelEvents, out _);

    /// <summary>
    /// <see cref="TryDecodeEvents(LogEntry, out IReadOnlyList{ChannelEvent})"/> with the reason a log was refused
    /// (<see cref="LogDecodeRefusal.None"/> when it was decoded). Never throws on a malformed log.
    /// </summary>
    public static bool TryDecodeEvents(LogEntry log, out IReadOnlyList<ChannelEvent> channelEvents, out LogDecodeRefusal refusal)
    {
        ArgumentNullException.ThrowIfNull(log);
        channelEvents = [];
        if (log.Topics is not { Count: > 0 } topics)
        {
            refusal = LogDecodeRefusal.NoTopic;
            return false;
        }

        if (topics[0] is not { Length: 32 } signature)
        {
            refusal = LogDecodeRefusal.TopicLength;
            return false;
        }

        var topic0 = Convert.ToHexStringLower(signature);
        List<ChannelEvent> decoded;
        if (topic0 == BatchRedeemedTopic0)
        {
            if (BatchRedeemedItems(log, out refusal) is not { } items)
            {
                return false;
            }

            decoded = items;
        }
        else if (EventDecoders.TryGetValue(topic0, out var decode))
        {
            (var e, refusal) = decode(log);
            if (e is null)
            {
                return false;
            }

            decoded = [e];
        }
        else
        {
            refusal = LogDecodeRefusal.UnknownEvent;
            return false;
        }

        channelEvents = decoded.Select(e => e with
        {
            BlockNumber = log.BlockNumber,
            BlockHash = log.BlockHash,
            TransactionHash = log.TransactionHash,
            LogIndex = log.LogIndex,
            Removed = log.Removed,
        }).ToList();
        refusal = LogDecodeRefusal.None;
        return true;
    }

    /// <summary>
    /// Decodes a log that carries one event; false for a log that is not one of the contract's events, is malformed,
    /// or carries several (a <c>BatchRedeemed</c> log of more than one item: use <see cref="TryDecodeEvents(LogEntry, out IReadOnlyList{ChannelEvent})"/>).
    /// Never throws on a malformed log.
    /// </summary>
    public static bool TryDecodeEvent(LogEntry log, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ChannelEvent? channelEvent) =>
        TryDecodeEvent(log, out channelEvent, out _);

    /// <summary>
    /// <see cref="TryDecodeEvent(LogEntry, out ChannelEvent?)"/> with the reason a log was refused
    /// (<see cref="LogDecodeRefusal.SeveralEvents"/> for a <c>BatchRedeemed</c> log of more than one item).
    /// </summary>
    public static bool TryDecodeEvent(
        LogEntry log, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ChannelEvent? channelEvent, out LogDecodeRefusal refusal)
    {
        channelEvent = null;
        if (!TryDecodeEvents(log, out var events, out refusal))
        {
            return false;
        }

        if (events.Count != 1)
        {
            refusal = LogDecodeRefusal.SeveralEvents;
            return false;
        }

        channelEvent = events[0];
        return true;
    }

    /// <summary>Size in bytes of one item of a <c>BatchRedeemed</c> log: payer | nonce (40 bits) | cumulative amount.</summary>
    public const int BatchRedeemedItemSize = 37;

    // BatchRedeemed(address indexed payee, address indexed token, uint32 challengePeriod, bytes items): a uint32 word,
    // then the ABI encoding of one `bytes` (offset 64, length, data zero-padded to a word), checked strictly; null and
    // the reason when anything is off.
    private static List<ChannelEvent>? BatchRedeemedItems(LogEntry log, out LogDecodeRefusal refusal)
    {
        if (log.Topics.Count != 3)
        {
            refusal = LogDecodeRefusal.TopicCount;
            return null;
        }

        if (log.Topics[1] is not { Length: 32 } payeeWord || log.Topics[2] is not { Length: 32 } tokenWord)
        {
            refusal = LogDecodeRefusal.TopicLength;
            return null;
        }

        if (!AddressWord(payeeWord, out var payee) || !AddressWord(tokenWord, out var token))
        {
            refusal = LogDecodeRefusal.FieldOutOfRange;
            return null;
        }

        var data = log.Data ?? [];
        if (data.Length < 96 || data.Length % 32 != 0)
        {
            refusal = LogDecodeRefusal.DataLength;
            return null;
        }

        if (data.AsSpan(0, 28).ContainsAnyExcept((byte)0))
        {
            refusal = LogDecodeRefusal.FieldOutOfRange;
            return null;
        }

        if (!IsWord(data.AsSpan(32, 32), 64)
            || !TryWordToInt(data.AsSpan(64, 32), out var length)
            || length == 0
            || length % BatchRedeemedItemSize != 0
            || data.Length != 96 + ((length + 31) / 32 * 32)
            || data.AsSpan(96 + length).ContainsAnyExcept((byte)0))
        {
            refusal = LogDecodeRefusal.MalformedPackedData;
            return null;
        }

        var challengePeriod = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(28, 4));
        var events = new List<ChannelEvent>(length / BatchRedeemedItemSize);
        Span<byte> nonce = stackalloc byte[8];
        for (var i = 0; i < length / BatchRedeemedItemSize; i++)
        {
            var item = data.AsSpan(96 + (i * BatchRedeemedItemSize), BatchRedeemedItemSize);
            nonce.Clear();
            item[20..25].CopyTo(nonce[3..]);
            var channel = new ChannelParameters(
                Address.FromBytes(item[..20]),
                payee,
                token,
                challengePeriod,
                System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(nonce));
            var amount = new BigInteger(item[25..37], isUnsigned: true, isBigEndian: true);
            events.Add(new BatchVoucherRedeemedEvent(channel.Id, amount) { Channel = channel, Item = i });
        }

        refusal = LogDecodeRefusal.None;
        return events;
    }

    private static bool AddressWord(byte[] word, out Address address)
    {
        address = Address.Zero;
        if (word.AsSpan(0, 12).ContainsAnyExcept((byte)0))
        {
            return false;
        }

        address = Address.FromBytes(word.AsSpan(12, 20));
        return true;
    }

    private static bool IsWord(ReadOnlySpan<byte> word, int value) =>
        TryWordToInt(word, out var v) && v == value;

    private static bool TryWordToInt(ReadOnlySpan<byte> word, out int value)
    {
        value = 0;
        if (word[..28].ContainsAnyExcept((byte)0))
        {
            return false;
        }

        var v = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(word[28..]);
        if (v > int.MaxValue)
        {
            return false;
        }

        value = (int)v;
        return true;
    }

    // topic 0 (lower-case hex) -> decoder into our event record; null and the reason when the log has the wrong shape.
    private static readonly Dictionary<string, Func<LogEntry, (ChannelEvent? Event, LogDecodeRefusal Refusal)>> EventDecoders = new[]
    {
        Decoder<ChannelOpenedEventDto>(d => new ChannelOpenedEvent(
            ChannelId.FromBytes(d.ChannelId),
            new ChannelParameters(A(d.Payer), A(d.Payee), A(d.Token), d.ChallengePeriod, d.Nonce),
            A(d.Funder),
            d.Deposit)),
        Decoder<ChannelToppedUpEventDto>(d => new ChannelToppedUpEvent(
            ChannelId.FromBytes(d.ChannelId), A(d.Payer), A(d.Payee), A(d.Token), A(d.Funder), d.PayeeSide, d.Amount, d.Deposit)),
        Decoder<VoucherRedeemedEventDto>(d => new VoucherRedeemedEvent(
            ChannelId.FromBytes(d.ChannelId), A(d.Payer), A(d.Payee), A(d.Token), d.PayerToPayee, d.Amount, d.CumulativeAmount)),
        Decoder<BatchItemSkippedEventDto>(d => new BatchItemSkippedEvent(
            ChannelId.FromBytes(d.ChannelId), d.CumulativeAmount, Enum.IsDefined((BatchSkipReason)d.Reason) ? (BatchSkipReason)d.Reason : BatchSkipReason.Unknown)),
        Decoder<ChannelClosingEventDto>(d => new ChannelClosingEvent(
            ChannelId.FromBytes(d.ChannelId), A(d.Payer), A(d.Payee), A(d.Token), A(d.Closer), d.Deadline)),
        Decoder<ChannelSettledEventDto>(d => new ChannelSettledEvent(
            ChannelId.FromBytes(d.ChannelId), A(d.Payer), A(d.Payee), A(d.Token), d.Cooperative, d.ToPayer, d.ToPayee)),
        Decoder<PayoutDeferredEventDto>(d => new PayoutDeferredEvent(ChannelId.FromBytes(d.ChannelId), A(d.To), A(d.Token), d.Amount)),
        Decoder<OwedWithdrawnEventDto>(d => new OwedWithdrawnEvent(A(d.Owner), A(d.Token), A(d.To), d.Amount)),
    }.ToDictionary(x => x.Topic0, x => x.Decode, StringComparer.Ordinal);

    private static readonly string ChannelOpenedTopic0 = ContractMessages.Topic0(ABITypedRegistry.GetEvent<ChannelOpenedEventDto>());

    private static readonly string BatchRedeemedTopic0 = ContractMessages.Topic0(ABITypedRegistry.GetEvent<BatchRedeemedEventDto>());

    private static (string Topic0, Func<LogEntry, (ChannelEvent? Event, LogDecodeRefusal Refusal)> Decode) Decoder<TEvent>(Func<TEvent, ChannelEvent> map)
        where TEvent : class, new()
    {
        var abi = ABITypedRegistry.GetEvent<TEvent>();
        var decode = ContractMessages.EventDecoder<TEvent>(abi);
        return (ContractMessages.Topic0(abi), log =>
        {
            var (dto, refusal) = decode(log);
            return dto is null ? (null, refusal) : (map(dto), LogDecodeRefusal.None);
        });
    }

    private static Address A(string address) => ContractMessages.Address(address);

    // ------------------------------------------------------------------ plumbing

    internal static ChannelStruct Tuple(ChannelParameters channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        return new ChannelStruct
        {
            Payer = ContractMessages.Hex(channel.Payer),
            Payee = ContractMessages.Hex(channel.Payee),
            Token = ContractMessages.Hex(channel.Token),
            ChallengePeriod = channel.ChallengePeriodSeconds,
            Nonce = channel.Nonce,
        };
    }

    private static SignatureStruct Signature(EcdsaSignature? signature) => signature is { } s
        ? new SignatureStruct { V = s.V, R = s.R.ToArray(), S = s.S.ToArray() }
        : new SignatureStruct { V = 0, R = new byte[32], S = new byte[32] };

    private static BigInteger ValueFor(ChannelParameters channel, BigInteger amount)
    {
        ArgumentNullException.ThrowIfNull(channel);
        return channel.Token == Address.Zero ? amount : BigInteger.Zero;
    }

    internal async Task<TransactionReceipt> SendAsync<TFunction>(
        IContractTransactor sender, TFunction message, BigInteger value, CancellationToken cancellationToken)
        where TFunction : FunctionMessage
    {
        ArgumentNullException.ThrowIfNull(sender);
        var function = FunctionName<TFunction>();
        var data = ContractMessages.CallData(message);
        TransactionReceipt receipt;
        try
        {
            receipt = await sender.SendAsync(Address, data, value, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonRpcException ex) when (IsRevert(ex))
        {
            throw Reverted(function, ex);
        }
        catch (TransactionRevertedException ex)
        {
            _ = ex.TryDecodeRevert(Errors, out var reason);
            throw new ChannelContractRevertException(function, reason, ex);
        }

        if (!receipt.Succeeded)
        {
            // Mined but reverted (the sender did not estimate gas): replay as a call at that block for the reason.
            try
            {
                await _rpc.CallAsync(new CallRequest { From = sender.Sender, To = Address, Data = data, Value = value }, receipt.BlockNumber - 1, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (JsonRpcException ex) when (IsRevert(ex))
            {
                throw Reverted(function, ex);
            }

            throw new ChannelContractRevertException(function, null, null);
        }

        return receipt;
    }

    private async Task<byte[]> CallAsync<TFunction>(TFunction message, BlockParameter? block, CancellationToken cancellationToken)
        where TFunction : FunctionMessage
    {
        try
        {
            return await _rpc.CallAsync(new CallRequest { To = Address, Data = ContractMessages.CallData(message) }, block, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonRpcException ex) when (IsRevert(ex))
        {
            throw Reverted(FunctionName<TFunction>(), ex);
        }
    }

    private static string FunctionName<TFunction>()
        where TFunction : FunctionMessage => ABITypedRegistry.GetFunctionABI<TFunction>().Name;

    // A node error is a revert only if it carries revert bytes or says so; other errors (nonce, chain id,
    // funds) stay JsonRpcExceptions.
    private static bool IsRevert(JsonRpcException ex) =>
        ex.RevertData is { Length: > 0 }
        || (ex is JsonRpcServerException server && server.NodeMessage.Contains("revert", StringComparison.OrdinalIgnoreCase));

    private static ChannelContractRevertException Reverted(string function, JsonRpcException ex)
    {
        RevertReason? reason = null;
        if (ex.RevertData is { } data)
        {
            _ = RevertReason.TryDecode(data.Span, Errors, out reason);
        }

        return new ChannelContractRevertException(function, reason, ex);
    }
}
