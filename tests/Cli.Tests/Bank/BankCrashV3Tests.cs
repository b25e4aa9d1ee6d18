using Xunit.Abstractions;

namespace Settlement.Cli.Tests.Bank;

/// <summary><see cref="BankCrashTests"/> against the sandbox's v3.1.11 API.</summary>
public sealed class BankCrashV3Tests(ITestOutputHelper output) : BankCrashTests("V3_1_11", output);
