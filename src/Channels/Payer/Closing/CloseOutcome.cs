using System.Numerics;

namespace Settlement.Channels.Payer.Closing;

/// <summary>The result of a close call.</summary>
/// <param name="Result">Where the close stands.</param>
/// <param name="PayerToPayee">The final (or newest) cumulative amount paid to the payee.</param>
/// <param name="PayeeToPayer">The refund amount (payee → payer) used.</param>
/// <param name="Deadline">The close deadline (unix seconds) while closing; 0 otherwise.</param>
public sealed record CloseOutcome(CloseResult Result, BigInteger PayerToPayee, BigInteger PayeeToPayer, ulong Deadline);
