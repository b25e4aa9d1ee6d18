using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Signing;

namespace Settlement.Benchmarks;

/// <summary>
/// Cost of the OBIE detached JWS per request: signing a consent body (PS256, RSA 2048) and
/// verifying the bank's signature, against the raw RSA-PSS operation on the same input as baseline.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class OpenBankingJwsBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);
    private SigningKey _key = null!;
    private byte[] _body = null!;
    private string _jws = null!;
    private byte[] _rawInput = null!;
    private byte[] _rawSignature = null!;
    private JwsExpectations _expectations = null!;

    [GlobalSetup]
    public void Setup()
    {
        _key = SigningKey.Generate("bench-kid");
        var instruction = new PaymentInstruction("instr-0001", "e2e-0001", new Money(12_345, "GBP"),
            new AccountIdentification("UK.OBIE.SortCodeAccountNumber", "04000412345678", "Platform"),
            new AccountIdentification("UK.OBIE.SortCodeAccountNumber", "60161331926819", "Customer"), "TOPUP 0001");
        _body = PisDialects.V4.ConsentRequest(instruction);
        _jws = DetachedJws.Sign(_body, _key, "org/software", Now);
        _rawInput = Encoding.ASCII.GetBytes(_jws.Split('.')[0] + "." + Convert.ToBase64String(_body).TrimEnd('=').Replace('+', '-').Replace('/', '_'));
        _rawSignature = _key.Rsa.SignData(_rawInput, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
        _expectations = new JwsExpectations(Now);
    }

    [GlobalCleanup]
    public void Cleanup() => _key.Dispose();

    [Benchmark(Baseline = true, Description = "raw RSA-PSS SHA-256 sign (baseline)")]
    [BenchmarkCategory("sign")]
    public byte[] RawSign() => _key.Rsa.SignData(_rawInput, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);

    [Benchmark(Description = "DetachedJws.Sign (x-jws-signature)")]
    [BenchmarkCategory("sign")]
    public string JwsSign() => DetachedJws.Sign(_body, _key, "org/software", Now);

    [Benchmark(Baseline = true, Description = "raw RSA-PSS SHA-256 verify (baseline)")]
    [BenchmarkCategory("verify")]
    public bool RawVerify() => _key.Rsa.VerifyData(_rawInput, _rawSignature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);

    [Benchmark(Description = "DetachedJws.VerifyAsync (header checks + signature)")]
    [BenchmarkCategory("verify")]
    public bool JwsVerify() =>
        DetachedJws.VerifyAsync(_jws, _body, (_, _) => ValueTask.FromResult<RSA?>(_key.Rsa), _expectations, CancellationToken.None).Result.IsValid;
}
