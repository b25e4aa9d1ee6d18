using Settlement.BankSandbox.Accounts;
using Settlement.BankSandbox.Clients;

namespace Settlement.BankSandbox;

/// <summary>How to start a <see cref="SandboxHost"/>.</summary>
public sealed class SandboxOptions
{
    /// <summary>HTTPS port on 127.0.0.1; 0 picks a free port.</summary>
    public int Port { get; set; }

    /// <summary>The sandbox clock: payment progression, token and code expiry, notification retries, latency faults.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Time from submission to AcceptedSettlementInProcess / ACSP.</summary>
    public TimeSpan AcceptanceDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Time from ACSP to AcceptedSettlementCompleted / ACSC (or Rejected / RJCT when funds are short).</summary>
    public TimeSpan SettlementDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Accounts present at start.</summary>
    public IList<SandboxAccount> Accounts { get; } = new List<SandboxAccount>();

    /// <summary>Clients registered at start.</summary>
    public IList<SandboxClient> Clients { get; } = new List<SandboxClient>();

    /// <summary>The <c>http://openbanking.org.uk/iss</c> of the bank's response signatures.</summary>
    public string BankOrganisationId { get; set; } = "sandbox-bank";

    /// <summary>The debtor used when a consent names none and the customer picked none; null = the customer declines.</summary>
    public string? DefaultDebtorAccount { get; set; }

    /// <summary>Period (sandbox time) of the background loop that applies due status changes and sends notifications.</summary>
    public TimeSpan BackgroundInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Delivery attempts per notification (1 s, 2 s, 4 s … apart on the sandbox clock).</summary>
    public int NotificationMaxAttempts { get; set; } = 5;

    /// <summary>Decoupled (CIBA) flow: sandbox time before the customer answers on their device; polls before get authorization_pending.</summary>
    public TimeSpan DecoupledApprovalDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long an x-idempotency-key is remembered (OBIE: 24 hours).</summary>
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How far the <c>http://openbanking.org.uk/iat</c> of a request's x-jws-signature may lie from the sandbox clock
    /// (either way) before the signature is refused (UK.OBIE.Signature.InvalidClaim / U016); also how far a request
    /// object's <c>nbf</c> may lie ahead (clock skew). Default 10 minutes.
    /// </summary>
    public TimeSpan JwsIatTolerance { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The longest lifetime a request object (authorisation JWT) may have: its <c>exp</c> is required and at most this
    /// far after the sandbox clock's now (FAPI: 60 minutes). Default 1 hour.
    /// </summary>
    public TimeSpan RequestObjectMaxLifetime { get; set; } = TimeSpan.FromHours(1);

    internal void Validate()
    {
        if (JwsIatTolerance <= TimeSpan.Zero || RequestObjectMaxLifetime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(JwsIatTolerance), "SandboxOptions.JwsIatTolerance and RequestObjectMaxLifetime must be positive.");
        }

        if (Port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(Port), Port, "SandboxOptions.Port must be 0..65535.");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        if (AcceptanceDelay < TimeSpan.Zero || SettlementDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(SettlementDelay), "SandboxOptions delays must not be negative.");
        }

        if (BackgroundInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(BackgroundInterval), "SandboxOptions.BackgroundInterval must be positive.");
        }

        if (NotificationMaxAttempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(NotificationMaxAttempts), "SandboxOptions.NotificationMaxAttempts must be at least 1.");
        }
    }
}
