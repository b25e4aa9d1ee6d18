using System.Globalization;
using System.Numerics;
using OpenQA.Selenium;
using OpenQA.Selenium.Support.UI;

namespace Settlement.Dashboard.BrowserTests.Support;

/// <summary>Reads the dashboard page in the browser: waits on the DOM the server-sent events update.</summary>
internal sealed class DashboardPage(HeadlessChromium browser, Uri url)
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public IWebDriver Driver => browser.WebDriver;

    /// <summary>Opens the page and waits for its first snapshot.</summary>
    public void Open()
    {
        browser.ConsoleEntries(); // drop what an earlier page logged
        Driver.Navigate().GoToUrl(url);
        Until(d => d.FindElement(By.TagName("body")).GetAttribute("data-snapshot") is { Length: > 0 });
        // A marker that a reload would lose: the tests prove the page updated itself.
        ((IJavaScriptExecutor)Driver).ExecuteScript("window.__sameDocument = true;");
    }

    /// <summary>True while the document opened by <see cref="Open"/> is still the one shown.</summary>
    public bool SameDocument => ((IJavaScriptExecutor)Driver).ExecuteScript("return window.__sameDocument === true;") is true;

    public T Until<T>(Func<IWebDriver, T> condition, TimeSpan? timeout = null)
    {
        var wait = new WebDriverWait(Driver, timeout ?? Patience) { PollingInterval = TimeSpan.FromMilliseconds(100) };
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
        return wait.Until(condition);
    }

    /// <summary>The element's text; read again if a snapshot redrew the element between finding and reading it.</summary>
    public string Text(string cssSelector) => Until(d => d.FindElement(By.CssSelector(cssSelector)).Text);

    /// <summary>The number in an element (thousands separators removed).</summary>
    public static BigInteger Number(string text) => BigInteger.Parse(text.Replace(",", "", StringComparison.Ordinal).Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    /// <summary>The channel's row (by its full id), or null while it is not shown.</summary>
    public IWebElement? ChannelRow(string channelId) =>
        Driver.FindElements(By.CssSelector($"#channels tbody tr[data-channel-id='{channelId}']")).FirstOrDefault();

    public void Screenshot(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        ((ITakesScreenshot)Driver).GetScreenshot().SaveAsFile(path);
    }
}
