using System.Net.Http.Json;
using Jakpreneur.Tests.Infrastructure;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace Jakpreneur.Tests.Browser;

/// <summary>
/// Swagger UI in a real headless Chromium (Debian's chromium + chromium-driver, installed by
/// .ci/install-packages): an operator pastes a key into the Authorize box and runs a request.
/// </summary>
[Category("Browser")]
[NonParallelizable]
public sealed class SwaggerUiBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";
    private const string ChromeDriverDirectory = "/usr/bin";

    private TestDatabase? _database;
    private JakpreneurApp? _app;
    private ChromeDriver? _browser;
    private string _baseAddress = "";

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        if (!File.Exists(Chromium) || !File.Exists(Path.Combine(ChromeDriverDirectory, "chromedriver")))
        {
            Assert.Ignore("Headless Chromium is not installed: run .ci/install-packages (Debian packages chromium and chromium-driver).");
        }
        _database = await TestDatabase.CreateAsync(Providers.Sqlite);
        _app = new JakpreneurApp(_database, new FakeTimeProvider(FakeTimeProvider.DefaultStart));
        _app.UseKestrel(0);
        _app.StartServer();
        _baseAddress = _app.ClientOptions.BaseAddress.ToString().TrimEnd('/');
        using (var admin = _app.ClientWithKey(JakpreneurApp.AdminKey))
        {
            // The figures the operator will see: KPKP's 2020 target in Jakarta Barat and one achievement.
            (await admin.PutAsJsonAsync("/api/v1/periods/UI2020", new { name = "Jakpreneur 2020", startDate = "2020-01-01", endDate = "2020-12-31", targetDeadline = "2020-12-15" })).EnsureSuccessStatusCode();
            (await admin.PutAsJsonAsync("/api/v1/periods/UI2020/targets/31.73/KPKP", new { target = 1120 })).EnsureSuccessStatusCode();
            (await admin.PostAsJsonAsync("/api/v1/achievements", new { period = "UI2020", kelurahan = "31.73.08.1001", sudin = "KPKP", count = 40, date = "2020-06-01" })).EnsureSuccessStatusCode();
        }

        var options = new ChromeOptions { BinaryLocation = Chromium };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
            "--window-size=1400,2200", $"--user-data-dir={Path.Combine(Path.GetTempPath(), "jakpreneur-chromium-" + Guid.NewGuid().ToString("N"))}");
        var service = ChromeDriverService.CreateDefaultService(ChromeDriverDirectory);
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        _browser = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _browser?.Quit();
        _browser?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Test]
    public void OperatorAuthorizesWithAKeyAndSeesTheKotaRollup()
    {
        var browser = _browser!;
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(30));
        browser.Navigate().GoToUrl($"{_baseAddress}/swagger/index.html");

        wait.Until(d => d.FindElements(By.CssSelector("button.authorize")).Count > 0);
        browser.FindElement(By.CssSelector("button.authorize")).Click();
        var keyInput = wait.Until(d => d.FindElements(By.CssSelector(".auth-container input")).FirstOrDefault());
        keyInput!.SendKeys(JakpreneurApp.AdminKey);
        browser.FindElement(By.CssSelector(".auth-btn-wrapper button.authorize")).Click();
        browser.FindElement(By.CssSelector(".auth-btn-wrapper button.btn-done")).Click();

        var operation = wait.Until(d => d.FindElements(By.Id(OperationId)).FirstOrDefault());
        operation!.FindElement(By.CssSelector(".opblock-summary")).Click();
        wait.Until(d => d.FindElements(By.CssSelector($"#{OperationId} button.try-out__btn")).Count > 0);
        browser.FindElement(By.CssSelector($"#{OperationId} button.try-out__btn")).Click();
        FillParameters(browser);
        browser.FindElement(By.CssSelector($"#{OperationId} button.execute")).Click();

        var status = wait.Until(d => d.FindElements(By.CssSelector($"#{OperationId} .live-responses-table .response .response-col_status")).FirstOrDefault());
        var body = wait.Until(d => d.FindElements(By.CssSelector($"#{OperationId} .live-responses-table .response-col_description pre")).FirstOrDefault());
        var screenshot = Path.Combine(TestContext.CurrentContext.WorkDirectory, "swagger-ui.png");
        ((ITakesScreenshot)browser).GetScreenshot().SaveAsFile(screenshot);
        TestContext.AddTestAttachment(screenshot, "Swagger UI after executing the request");

        Assert.That(status!.Text.Trim(), Does.StartWith("200"));
        AssertFigures(body!.Text);
    }

    private const string OperationId = "operations-Roll-ups-KotaRollup";

    private static void FillParameters(IWebDriver browser)
    {
        browser.FindElement(By.CssSelector($"#{OperationId} input[placeholder='period']")).SendKeys("UI2020");
        browser.FindElement(By.CssSelector($"#{OperationId} input[placeholder='kota']")).SendKeys("31.73");
    }

    private static void AssertFigures(string body)
    {
        Assert.That(body, Does.Contain("Kota Administrasi Jakarta Barat"));
        Assert.That(body, Does.Match(@"""target"":\s*1120"));
        Assert.That(body, Does.Match(@"""achieved"":\s*40"));
    }
}
