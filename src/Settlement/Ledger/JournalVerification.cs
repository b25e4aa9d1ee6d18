namespace Settlement.Service.Ledger;

/// <summary>
/// The result of <see cref="ILedgerStore.VerifyJournalAsync"/>. <see cref="Ok"/> when every row chains to the previous
/// one, the replayed balances equal the stored ones and the head matches the last row; otherwise
/// <see cref="BrokenSeq"/> names the first bad row (or <see cref="AccountId"/> the first account that differs) and
/// <see cref="Problem"/> says what is wrong.
/// </summary>
/// <param name="Ok">Nothing wrong found.</param>
/// <param name="Entries">Rows read.</param>
/// <param name="HeadHash">Hex of the last good row's hash: publish it to detect a rewrite of the whole chain.</param>
/// <param name="BrokenSeq">The first row that does not verify, if any.</param>
/// <param name="AccountId">The first account whose balances do not match the journal, if any.</param>
/// <param name="Problem">What is wrong; null when <see cref="Ok"/>.</param>
public sealed record JournalVerification(bool Ok, long Entries, string HeadHash, long? BrokenSeq, UInt128? AccountId, string? Problem);
