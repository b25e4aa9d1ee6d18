using Settlement.Service.Indexer.Storage;
using Settlement.Service.Ledger;

namespace Settlement.Service.Indexer.Mapping;

/// <summary>
/// What one chain event books: its ledger transfers (and the accounts they need), or why none, plus the channel facts
/// it establishes (a channel opened, the payee's new redeemed total).
/// </summary>
internal sealed record EventBooking(
    BookedEvent Event,
    IReadOnlyList<Transfer> Transfers,
    IReadOnlyList<Account> Accounts,
    IndexedChannel? OpenedChannel);
