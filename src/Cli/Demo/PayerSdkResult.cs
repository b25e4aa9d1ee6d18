using System.Numerics;

namespace Settlement.Cli.Demo;

/// <summary>What the payer SDK part of the demo did (figures for the summary and its checks).</summary>
internal sealed record PayerSdkResult(
    string MeterChannel,
    long MeterReadings,
    BigInteger MeterUnits,
    BigInteger MeterDue,
    BigInteger MeterSigned,
    BigInteger MeterPayeeStored,
    BigInteger MeterAcknowledged,
    string PlayerChannel,
    long PlayerSecondsPlayed,
    bool PlayerPaused,
    int LowBalanceCalls,
    BigInteger PlayerSigned,
    BigInteger PlayerPayeeStored,
    BigInteger PlayerAcknowledged,
    int ReceiptsKept,
    BigInteger MerchantReceivedWei,
    BigInteger ClosedTotalWei);
