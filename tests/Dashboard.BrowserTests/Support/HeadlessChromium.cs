using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace Settlement.Dashboard.BrowserTests.Support;

/// <summary>
/// Debian's chromium in headless mode, driven through Debian's chromium-driver (both installed by .ci/bootstrap.sh).
/// The paths are given explicitly so Selenium never looks for (or downloads) a driver of its own.
/// </summary>
internal sealed class HeadlessChromium : IDisposable
{
    public const string Browser = "/usr/bin/chromium";
    public const string Driver = "/usr/bin/chromedriver";

    private HeadlessChromium(ChromeDriver driver) => WebDriver = driver;

    public ChromeDriver WebDriver { get; }

    public static HeadlessChromium Start()
    {
        if (!File.Exists(Browser) || !File.Exists(Driver))
        {
            throw new InvalidOperationException(
                $"The browser tests need Debian's chromium ({Browser}) and chromium-driver ({Driver}): run .ci/bootstrap.sh as root, or apt-get install chromium chromium-driver.");
        }

        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(Driver)!, Path.GetFileName(Driver));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = Browser };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1600,1500",
            "--no-first-run", "--disable-extensions", "--disable-background-networking", "--disable-sync", "--disable-component-update",
            "--disable-default-apps", "--metrics-recording-only", "--no-default-browser-check", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1");
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        return new HeadlessChromium(new ChromeDriver(service, options, TimeSpan.FromSeconds(60)));
    }

    /// <summary>The browser console entries since the last call (chromedriver hands each entry out once).</summary>
    public IReadOnlyList<LogEntry> ConsoleEntries() => WebDriver.Manage().Logs.GetLog(LogType.Browser);

    public void Dispose()
    {
        WebDriver.Quit();
        WebDriver.Dispose();
    }
}
