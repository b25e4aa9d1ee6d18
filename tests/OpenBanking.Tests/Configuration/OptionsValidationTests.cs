using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.Signing;

namespace Settlement.OpenBanking.Tests.Configuration;

public sealed class OptionsValidationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ob-opts-").FullName;
    private readonly string _keyPath;

    public OptionsValidationTests()
    {
        _keyPath = Path.Combine(_dir, "k.pem");
        using var key = SigningKey.Generate("k");
        File.WriteAllText(_keyPath, key.ExportPkcs8Pem());
    }

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void Validate_TwoValidBanks_Success()
    {
        var options = new OpenBankingOptions();
        options.Banks["a"] = Valid(ObieVersion.V3_1_11);
        options.Banks["b"] = Valid(ObieVersion.V4_0);
        new OpenBankingOptionsValidator().Validate(null, options).Succeeded.ShouldBeTrue();
    }

    [Theory]
    [InlineData("ClientId", "OpenBanking:Banks:acme:ClientId")]
    [InlineData("BaseUrl-http", "OpenBanking:Banks:acme:BaseUrl")]
    [InlineData("WellKnown-missing", "OpenBanking:Banks:acme:WellKnownEndpoint")]
    [InlineData("KeyPath-missing", "OpenBanking:Banks:acme:SigningKeyPath")]
    [InlineData("KeyPath-garbage", "OpenBanking:Banks:acme:SigningKeyPath")]
    [InlineData("Kid", "OpenBanking:Banks:acme:SigningKeyId")]
    [InlineData("Platform", "OpenBanking:Banks:acme:PlatformAccount:Identification")]
    [InlineData("Timeout", "OpenBanking:Banks:acme:AttemptTimeout")]
    [InlineData("Retries", "OpenBanking:Banks:acme:MaxRetries")]
    [InlineData("Cert", "OpenBanking:Banks:acme:TransportCertificatePath")]
    [InlineData("Trusted", "OpenBanking:Banks:acme:TrustedServerCertificatePath")]
    public void Validate_BadSetting_FailureNamesTheSetting(string broken, string setting)
    {
        var bank = Valid(ObieVersion.V3_1_11);
        switch (broken)
        {
            case "ClientId": bank.ClientId = ""; break;
            case "BaseUrl-http": bank.BaseUrl = new Uri("http://bank.example"); break;
            case "WellKnown-missing": bank.WellKnownEndpoint = null; break;
            case "KeyPath-missing": bank.SigningKeyPath = Path.Combine(_dir, "nope.pem"); break;
            case "KeyPath-garbage":
                bank.SigningKeyPath = Path.Combine(_dir, "garbage.pem");
                File.WriteAllText(bank.SigningKeyPath, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
                break;
            case "Kid": bank.SigningKeyId = ""; break;
            case "Platform": bank.PlatformAccount!.Identification = ""; break;
            case "Timeout": bank.AttemptTimeout = TimeSpan.FromHours(1); break;
            case "Retries": bank.MaxRetries = 50; break;
            case "Cert": bank.TransportCertificatePath = _keyPath; break;
            case "Trusted": bank.TrustedServerCertificatePath = Path.Combine(_dir, "ca.pem"); break;
        }

        var options = new OpenBankingOptions();
        options.Banks["acme"] = bank;
        var result = new OpenBankingOptionsValidator().Validate(null, options);
        result.Failed.ShouldBeTrue();
        result.Failures!.ShouldContain(f => f.StartsWith(setting + ":", StringComparison.Ordinal), string.Join(" | ", result.Failures!));
    }

    [Fact]
    public void Validate_NoBanks_Fails()
    {
        var result = new OpenBankingOptionsValidator().Validate(null, new OpenBankingOptions());
        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldContain("OpenBanking:Banks");
    }

    [Fact]
    public void Validate_SecretSet_NeverEchoed()
    {
        var bank = Valid(ObieVersion.V3_1_11);
        bank.ClientSecret = "hunter2-secret";
        bank.ClientId = "";
        var options = new OpenBankingOptions();
        options.Banks["acme"] = bank;
        new OpenBankingOptionsValidator().Validate(null, options).FailureMessage!.ShouldNotContain("hunter2-secret");
    }

    [Fact]
    public async Task HostStart_BadConfigurationFromJson_FailsNamingTheSetting()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OpenBanking:DatabasePath"] = Path.Combine(_dir, "db.sqlite"),
            ["OpenBanking:Banks:acme:BaseUrl"] = "https://bank.example",
            ["OpenBanking:Banks:acme:WellKnownEndpoint"] = "https://bank.example",
            ["OpenBanking:Banks:acme:ClientId"] = "c",
            ["OpenBanking:Banks:acme:SigningKeyPath"] = _keyPath,
            ["OpenBanking:Banks:acme:SigningKeyId"] = "k",
            ["OpenBanking:Banks:acme:RedirectUri"] = "https://tpp.example/cb",
            ["OpenBanking:Banks:acme:SpecVersion"] = "V4_0",
            ["OpenBanking:Banks:acme:PlatformAccount:Identification"] = "04000412345678",
            ["OpenBanking:Banks:acme:PlatformAccount:Name"] = "Platform",
            ["OpenBanking:Banks:beta:BaseUrl"] = "https://beta.example",
            ["OpenBanking:Banks:beta:ClientId"] = "c2",
        });
        builder.Services.AddOpenBanking();
        using var host = builder.Build();
        var ex = await Should.ThrowAsync<OptionsValidationException>(() => host.StartAsync());
        ex.Message.ShouldContain("OpenBanking:Banks:beta:WellKnownEndpoint");
        ex.Message.ShouldContain("OpenBanking:Banks:beta:SigningKeyPath");
        ex.Message.ShouldNotContain("OpenBanking:Banks:acme:");
    }

    private BankOptions Valid(ObieVersion version) => new()
    {
        BaseUrl = new Uri("https://bank.example"),
        WellKnownEndpoint = new Uri("https://bank.example"),
        ClientId = "client",
        SigningKeyPath = _keyPath,
        SigningKeyId = "k",
        SpecVersion = version,
        RedirectUri = new Uri("https://tpp.example/cb"),
        PlatformAccount = new AccountOptions { Identification = "04000412345678", Name = "Platform" },
    };
}
