namespace Settlement.DevChain;

/// <summary>How <see cref="PostgresProcess"/> starts a throw-away PostgreSQL server.</summary>
public sealed class PostgresOptions
{
    /// <summary>The folder holding <c>initdb</c>, <c>postgres</c>, <c>pg_isready</c> and <c>pg_ctl</c>; null = <see cref="PostgresProcess.FindBinDirectory"/>.</summary>
    public string? BinDirectory { get; set; }

    /// <summary>TCP port on 127.0.0.1; 0 = a free port.</summary>
    public int Port { get; set; }

    /// <summary>How long to wait for the server to accept connections (after <c>initdb</c>).</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Server settings passed as <c>-c name=value</c>. <c>fsync</c> is on by default so durability tests measure what a
    /// real server does; set it to <c>off</c> for speed where that does not matter.
    /// </summary>
    public IDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.Ordinal) { ["fsync"] = "on" };
}
