using Settlement.Ethereum.Addresses;

namespace Settlement.Ethereum.Transactions;

/// <summary>One entry of an EIP-2930 access list: an address and the storage slots it pre-warms.</summary>
/// <param name="Address">The account.</param>
/// <param name="StorageKeys">32-byte storage keys.</param>
public sealed record AccessListEntry(Address Address, IReadOnlyList<byte[]> StorageKeys);
