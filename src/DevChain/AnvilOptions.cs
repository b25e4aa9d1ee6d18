namespace Settlement.DevChain;

/// <summary>How <see cref="AnvilProcess"/> starts a local Anvil node.</summary>
public sealed class AnvilOptions
{
    /// <summary>The Anvil executable; null = <see cref="AnvilProcess.FindBinary"/>.</summary>
    public string? BinaryPath { get; set; }

    /// <summary>TCP port on 127.0.0.1; 0 = a free port.</summary>
    public int Port { get; set; }

    /// <summary>Chain id the node reports (Anvil's default is 31337).</summary>
    public ulong ChainId { get; set; } = 31337;

    /// <summary>Mnemonic of the funded development accounts; null = Anvil's default (the well-known "test … junk" one).</summary>
    public string? Mnemonic { get; set; }

    /// <summary>Number of funded development accounts.</summary>
    public int Accounts { get; set; } = 10;

    /// <summary>How long to wait for the node to answer <c>eth_chainId</c>.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>More command-line arguments, passed as given (e.g. <c>--block-time 1</c>).</summary>
    public IList<string> ExtraArguments { get; } = new List<string>();
}
