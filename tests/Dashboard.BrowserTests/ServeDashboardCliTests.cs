using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Settlement.Testing;

namespace Settlement.Dashboard.BrowserTests;

/// <summary>The real <c>l2pay serve dashboard</c> process: the bind and token rules at the command line.</summary>
public sealed class ServeDashboardCliTests
{
    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    public async Task Serve_NonLoopbackBindWithoutToken_ExitsWithUsageErrorNamingTheSetting(string address)
    {
        using var process = Start("serve", "dashboard", "--bind", address, "--port", "0");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        process.ExitCode.ShouldBe(2);
        (await stderr).ShouldContain("Dashboard:BearerToken");
        (await stderr).ShouldContain("not loopback");
        (await stdout).ShouldBeEmpty();
    }

    [Fact]
    public async Task Serve_LoopbackWithTokenFile_PrintsItsUrlAndRefusesRequestsWithoutTheToken()
    {
        var tokenFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(tokenFile, "cli-dashboard-token-0123456789\n");
        using var process = Start("serve", "dashboard", "--port", "0", "--token-file", tokenFile);
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            using var started = JsonDocument.Parse(line!);
            started.RootElement.GetProperty("tokenRequired").GetBoolean().ShouldBeTrue();
            var url = new Uri(started.RootElement.GetProperty("dashboardUrl").GetString()!);
            url.Host.ShouldBe("127.0.0.1");
            using var http = new HttpClient();
            (await http.GetAsync(new Uri(url, "snapshot"))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url, "snapshot")) { Headers = { { "Authorization", "Bearer cli-dashboard-token-0123456789" } } };
            (await http.SendAsync(request)).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            File.Delete(tokenFile);
        }
    }

    private static Process Start(params string[] args)
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var folder = Path.Combine(RepositoryPaths.Root, "src", "Cli", "bin", testBin.Parent!.Name, testBin.Name);
        var dll = Path.Combine(folder, "l2pay.dll");
        File.Exists(dll).ShouldBeTrue($"l2pay is not built in {folder}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("L2PAY_DASHBOARD_TOKEN");
        return Process.Start(start)!;
    }
}
