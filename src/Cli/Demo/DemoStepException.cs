namespace Settlement.Cli.Demo;

/// <summary>A demo step failed; the message says which step and why (never a secret).</summary>
internal sealed class DemoStepException : Exception
{
    public DemoStepException(string step, string reason, Exception? inner = null)
        : base($"step '{step}' failed: {reason}", inner)
    {
        Step = step;
    }

    public string Step { get; }
}
