using System.Numerics;

namespace Settlement.Cli.Demo;

/// <summary>What the refund part of the demo did: the merchant's deposit, the refund the payer SDK accepted, the split on chain.</summary>
internal sealed record RefundDemoResult(
    string ChannelId,
    BigInteger Deposit,
    BigInteger PayeeDeposit,
    BigInteger Prepaid,
    BigInteger Refunded,
    BigInteger PayerStoredRefund,
    bool PayerAccepted,
    BigInteger ChainToPayer,
    BigInteger ChainToPayee,
    bool Cooperative);
