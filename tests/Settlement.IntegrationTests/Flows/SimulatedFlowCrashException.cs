namespace Settlement.Service.IntegrationTests.Flows;

/// <summary>Thrown by a test's checkpoint hook to stop a runner between two steps, as a crash would.</summary>
public sealed class SimulatedFlowCrashException(string checkpoint) : Exception("simulated crash at " + checkpoint);
