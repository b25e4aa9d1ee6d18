using Settlement.Service.Indexer;

namespace Settlement.Service.IntegrationTests.Indexer;

/// <summary>Thrown by a test's step hook: the process "dies" at <see cref="Step"/>.</summary>
public sealed class SimulatedCrashException(IndexerStep step) : Exception($"simulated crash at {step}")
{
    public IndexerStep Step { get; } = step;
}
