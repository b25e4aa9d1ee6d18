using System.Globalization;
using Settlement.LedgerCrashWriter;
using Settlement.Service.Ledger;
using Settlement.Service.Storage.Sqlite;

// Usage: ledger-crash-writer DB FIRST_ID BATCH_SIZE
// Books transfers FIRST_ID, FIRST_ID + 1, … into the SQLite ledger DB in batches (one commit each) until killed, and
// after each commit prints "acked LAST_ID" to stdout. Every field of transfer n is a function of n (see Deterministic),
// so the parent can recompute the balances of the ids 1..N and re-sending a batch is an idempotent repeat ("exists").
var db = args[0];
var next = UInt128.Parse(args[1], CultureInfo.InvariantCulture);
var batchSize = int.Parse(args[2], CultureInfo.InvariantCulture);
var store = new SqliteLedgerStore(new SqliteLedgerStoreOptions { Path = db });
var accounts = Enumerable.Range(1, Deterministic.Accounts)
    .Select(i => new Account((UInt128)i, LedgerAssets.Gbp, (ushort)AccountCode.User, AccountFlags.None)).ToList();
foreach (var result in await store.CreateAccountsAsync(accounts))
{
    if (result is not (CreateAccountResult.Ok or CreateAccountResult.Exists))
    {
        await Console.Error.WriteLineAsync("account refused: " + result);
        return 2;
    }
}

await Console.Out.WriteLineAsync("ready");
await Console.Out.FlushAsync();
while (true)
{
    var batch = Enumerable.Range(0, batchSize).Select(i => Deterministic.Transfer(next + (UInt128)i)).ToList();
    var results = await store.CreateTransfersAsync(batch);
    if (results.FirstOrDefault(r => r is not (CreateTransferResult.Ok or CreateTransferResult.Exists)) is var refused
        && refused != CreateTransferResult.Ok)
    {
        await Console.Error.WriteLineAsync("transfer refused: " + refused);
        return 2;
    }

    next += (UInt128)batchSize;
    await Console.Out.WriteLineAsync("acked " + (next - 1).ToString(CultureInfo.InvariantCulture));
    await Console.Out.FlushAsync();
}
