namespace Settlement.BankSandbox.Tests.Support;

/// <summary>Waits for work on other threads (Kestrel, the sandbox loop) to reach a state; the bound is a hang guard, not a timing assertion.</summary>
public static class Eventually
{
    public static async Task Until(Func<bool> condition, string what)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (guard.IsCancellationRequested)
            {
                throw new TimeoutException("Never happened: " + what);
            }

            await Task.Delay(5);
        }
    }
}
