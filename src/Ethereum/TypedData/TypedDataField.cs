namespace Settlement.Ethereum.TypedData;

/// <summary>One member of an EIP-712 struct type: <c>{ "name": "to", "type": "address" }</c>.</summary>
/// <param name="Name">The member name.</param>
/// <param name="Type">The member type: atomic, <c>bytes</c>, <c>string</c>, a struct name, or an array of those.</param>
public sealed record TypedDataField(string Name, string Type);
