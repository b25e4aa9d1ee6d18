using BenchmarkDotNet.Running;
using Settlement.Benchmarks;
using Settlement.Benchmarks.Indexer;
using Settlement.Benchmarks.Ledger;
using Settlement.Benchmarks.Payee;
using Settlement.Benchmarks.Payer;
using Settlement.Benchmarks.Reconciliation;

if (args is ["paired", ..])
{
    PairedRatios.Run();
    return;
}

if (args is ["payee", ..])
{
    await PayeeBenchmarks.RunAsync(args);
    return;
}

if (args is ["http402", ..])
{
    await Settlement.Benchmarks.Http402.Http402Benchmarks.RunAsync();
    return;
}

if (args is ["payer", ..])
{
    await PayerBenchmarks.RunAsync();
    return;
}

if (args is [PayerBenchmarks.ChildMode, ..])
{
    await PayerBenchmarks.RunChildAsync();
    return;
}

if (args is ["ledger", ..])
{
    await LedgerBenchmarks.RunAsync(args);
    return;
}

if (args is ["indexer", ..])
{
    await IndexerBenchmarks.RunAsync(args);
    return;
}

if (args is ["topup", ..])
{
    await Settlement.Benchmarks.Topup.TopupBenchmarks.RunAsync(args);
    return;
}

if (args is ["reconcile", ..])
{
    ReconciliationBenchmarks.Run(args);
    return;
}

if (args is [EngineThroughput.ChildMode, ..])
{
    await EngineThroughput.RunChildAsync(args);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
