namespace Settlement.Testing;

/// <summary>One log as ethers decoded it (see <see cref="EthersLogDecoder"/>).</summary>
/// <param name="Name">The event's name.</param>
/// <param name="Signature">The event's signature, e.g. <c>Transfer(address,address,uint256)</c>.</param>
/// <param name="Args">Every field of the event by its ABI name: addresses and bytes as lower-case 0x-hex, integers as decimal, bools as "true"/"false".</param>
/// <param name="Items">For <c>BatchRedeemed</c>: its packed items (payer, nonce, cumulativeAmount, channelId), else null.</param>
public sealed record EthersLog(string Name, string Signature, IReadOnlyDictionary<string, string> Args, IReadOnlyList<IReadOnlyDictionary<string, string>>? Items);
