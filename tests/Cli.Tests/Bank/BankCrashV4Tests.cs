using Xunit.Abstractions;

namespace Settlement.Cli.Tests.Bank;

/// <summary><see cref="BankCrashTests"/> against the sandbox's v4.0 API.</summary>
public sealed class BankCrashV4Tests(ITestOutputHelper output) : BankCrashTests("V4_0", output);
