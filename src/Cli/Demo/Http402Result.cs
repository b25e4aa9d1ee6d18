using System.Numerics;

namespace Settlement.Cli.Demo;

/// <summary>What the demo's pay-per-request API step saw.</summary>
internal sealed record Http402Result(
    string ChannelId,
    int Requests,
    int Served,
    int PaymentRequiredAnswers,
    BigInteger PricePerRequest,
    BigInteger Signed,
    BigInteger PayeeStored,
    int ReceiptsKept,
    BigInteger ClosedWei);
