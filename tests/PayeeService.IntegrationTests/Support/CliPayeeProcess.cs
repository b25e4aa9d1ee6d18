using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Settlement.Ethereum.Addresses;
using Settlement.Testing;

namespace Settlement.PayeeService.IntegrationTests.Support;

/// <summary>
/// The real <c>l2pay serve payee</c> process (built next to this project in the same configuration), started on
/// port 0; ready once it printed its JSON line with the URLs.
/// </summary>
internal sealed class CliPayeeProcess : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;

    private CliPayeeProcess(Process process, Uri baseUrl, Uri streamUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
        StreamUrl = streamUrl;
    }

    public Uri BaseUrl { get; }

    public Uri StreamUrl { get; }

    public int ProcessId => _process.Id;

    /// <summary>The l2pay build output folder of this test run's configuration.</summary>
    public static string BuildFolder
    {
        get
        {
            var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var configuration = testBin.Parent!.Name; // …/bin/<Configuration>/<tfm>
            return Path.Combine(RepositoryPaths.Root, "src", "Cli", "bin", configuration, testBin.Name);
        }
    }

    public static async Task<CliPayeeProcess> StartAsync(string database, Uri rpcUrl, Address contract, string keyFile, int confirmations, params string[] extra)
    {
        var apphost = Path.Combine(BuildFolder, "l2pay");
        var dll = Path.Combine(BuildFolder, "l2pay.dll");
        var start = File.Exists(apphost)
            ? new ProcessStartInfo(apphost)
            : File.Exists(dll)
                ? new ProcessStartInfo("dotnet") { ArgumentList = { dll } }
                : throw new InvalidOperationException($"l2pay is not built in {BuildFolder}; build src/Cli in the same configuration.");
        foreach (var arg in (string[])
        [
            "serve", "payee", "--db", database, "--rpc-url", rpcUrl.ToString(), "--contract", contract.ToString(),
            "--key-file", keyFile, "--port", "0", "--confirmations", confirmations.ToString(CultureInfo.InvariantCulture),
            .. extra,
        ])
        {
            start.ArgumentList.Add(arg);
        }

        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        var process = Process.Start(start) ?? throw new InvalidOperationException("l2pay did not start.");
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                stderr.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(StartTimeout)
                ?? throw new InvalidOperationException($"l2pay exited before it listened: {Stderr(stderr)}");
            using var json = JsonDocument.Parse(line);
            var result = new CliPayeeProcess(
                process,
                new Uri(json.RootElement.GetProperty("baseUrl").GetString()!),
                new Uri(json.RootElement.GetProperty("streamUrl").GetString()!));
            _ = DrainAsync(process.StandardOutput);
            return result;
        }
        catch
        {
            Kill(process);
            process.Dispose();
            throw;
        }
    }

    /// <summary>kill -9 of the process (and anything it started), then waits until it is gone.</summary>
    public void KillHard() => Kill(_process);

    public void Dispose()
    {
        Kill(_process);
        _process.Dispose();
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        process.WaitForExit();
    }

    private static string Stderr(StringBuilder stderr)
    {
        lock (stderr)
        {
            return stderr.ToString();
        }
    }

    private static async Task DrainAsync(StreamReader reader)
    {
        try
        {
            while (await reader.ReadLineAsync() is not null)
            {
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
        }
    }
}
