namespace Settlement.Cli.Demo;

/// <summary>One invariant checked at the end of the demo, from real reads.</summary>
internal sealed record DemoCheck(string Name, bool Passed, string Detail);
