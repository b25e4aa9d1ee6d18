using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee;

namespace Settlement.Channels.Payer.Storage;

/// <summary>
/// What a payer keeps about one of its channels apart from the vouchers: the parameters (needed for every contract
/// call), the deposits it last read from the chain, where the payee listens and the channel's status.
/// </summary>
/// <param name="Key">Chain id, contract and channel id.</param>
/// <param name="Parameters">The channel's parameters (payer, payee, token, challenge period, nonce).</param>
/// <param name="Deposit">The payer's credited deposit (the most the payer may sign), base units.</param>
/// <param name="PayeeDeposit">The payee's deposit (the most a refund voucher may carry), base units.</param>
/// <param name="PayeeStreamUrl">The payee service's WebSocket stream, or null if vouchers travel another way (HTTP 402).</param>
/// <param name="Status">Open, closing or closed.</param>
public sealed record PayerChannelRecord(
    ChannelKey Key,
    ChannelParameters Parameters,
    BigInteger Deposit,
    BigInteger PayeeDeposit,
    Uri? PayeeStreamUrl,
    PayerChannelStatus Status);
