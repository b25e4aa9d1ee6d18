using BenchmarkDotNet.Running;
using Settlement.Benchmarks;

if (args is ["paired", ..])
{
    PairedRatios.Run();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
