using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Payer.Closing;

/// <summary>The payee signed a close agreement (not yet checked against the payer's own state: <see cref="PayerChannel.CloseAsync"/> does that).</summary>
/// <param name="State">The agreed final state and deadline.</param>
/// <param name="PayeeSignature">The payee's signature over <paramref name="State"/>.</param>
public sealed record PayeeAgreedClose(CooperativeCloseState State, EcdsaSignature PayeeSignature) : PayeeCloseAnswer;
