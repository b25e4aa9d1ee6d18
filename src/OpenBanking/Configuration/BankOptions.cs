using System.ComponentModel.DataAnnotations;

namespace Settlement.OpenBanking.Configuration;

/// <summary>
/// One bank (ASPSP) the connector talks to. Bound from <c>OpenBanking:Banks:&lt;name&gt;</c>; validated
/// at start (<see cref="OpenBankingOptionsValidator"/>) with messages that name the setting.
/// Secrets (<see cref="ClientSecret"/>, key files' contents) are never logged.
/// </summary>
public sealed class BankOptions
{
    /// <summary>Resource server root, e.g. <c>https://127.0.0.1:5443</c>; the PIS base path is appended per <see cref="SpecVersion"/>.</summary>
    [Required]
    public Uri? BaseUrl { get; set; }

    /// <summary>The OIDC authority (issuer); discovery is read from <c>{Authority}/.well-known/openid-configuration</c>.</summary>
    [Required]
    public Uri? WellKnownEndpoint { get; set; }

    /// <summary>The OAuth2 client id registered with the bank (also the JWS and assertion issuer unless <see cref="JwsIssuer"/> is set).</summary>
    [Required]
    [StringLength(200, MinimumLength = 1)]
    public string ClientId { get; set; } = "";

    /// <summary>Client secret for <c>client_secret_post</c>; leave empty to use <c>private_key_jwt</c>.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>PEM (PKCS#8 / PKCS#1) or JWK file with the RSA private key signing JWS, request objects and client assertions.</summary>
    [Required]
    public string SigningKeyPath { get; set; } = "";

    /// <summary>The <c>kid</c> of the signing key as registered in the client's JWKS.</summary>
    [Required]
    [StringLength(200, MinimumLength = 1)]
    public string SigningKeyId { get; set; } = "";

    /// <summary>The <c>http://openbanking.org.uk/iss</c> value for request JWS (OBIE: org-id/software-id); defaults to <see cref="ClientId"/>.</summary>
    public string? JwsIssuer { get; set; }

    /// <summary>
    /// The bank's <c>http://openbanking.org.uk/iss</c> (OBIE: its organisation id): every response
    /// signature and every event notification's signature header must carry exactly this value; one
    /// that carries another issuer is refused (<c>SignatureInvalid</c>, "iss … is not the bank's …").
    /// Null accepts any non-empty issuer (not recommended outside tests of other banks).
    /// </summary>
    [StringLength(200, MinimumLength = 1)]
    public string? BankJwsIssuer { get; set; }

    /// <summary>
    /// Ask for the payer's refund account on top-up consents (<c>Data.ReadRefundAccount: Yes</c>); the
    /// bank then returns <c>Data.Refund</c>, kept on the transfer so money can go back to the account that paid.
    /// </summary>
    public bool ReadRefundAccount { get; set; } = true;

    /// <summary>
    /// How long a transfer may wait for the customer's authorisation (from its creation); after it the
    /// transfer ends <c>Expired</c> and nothing more is sent for it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan AuthorisationTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>First wait between two status polls of a submitted payment; doubles after every poll that brought no change.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan StatusPollInitialInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap of the per-payment poll back-off.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan StatusPollMaxInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The OBIE <c>Risk</c> block sent with top-ups (customer pays the platform) unless the request gives its own.</summary>
    public RiskOptions TopupRisk { get; set; } = new()
    {
        PaymentContextCode = "BillingGoodsAndServicesInAdvance", ContractPresentIndicator = true, BeneficiaryPrepopulatedIndicator = true, BeneficiaryAccountType = "Business",
    };

    /// <summary>The OBIE <c>Risk</c> block sent with payouts (platform pays a merchant) unless the request gives its own.</summary>
    public RiskOptions PayoutRisk { get; set; } = new()
    {
        PaymentContextCode = "TransferToThirdParty", ContractPresentIndicator = true, BeneficiaryPrepopulatedIndicator = true, BeneficiaryAccountType = "Business",
    };

    /// <summary>PEM or PFX file with the transport (mTLS) client certificate and its key; optional.</summary>
    public string? TransportCertificatePath { get; set; }

    /// <summary>PEM key file of the transport certificate when the certificate PEM holds no key.</summary>
    public string? TransportKeyPath { get; set; }

    /// <summary>PEM file of a server certificate to trust in addition to the system store (e.g. the sandbox's self-signed one).</summary>
    public string? TrustedServerCertificatePath { get; set; }

    /// <summary>Spec version the bank speaks.</summary>
    public ObieVersion SpecVersion { get; set; } = ObieVersion.V3_1_11;

    /// <summary>
    /// Redirect (default) or Decoupled (CIBA poll mode). Decoupled needs a bank whose discovery
    /// document advertises CIBA; a transfer at a bank that does not fails with a message saying so.
    /// </summary>
    [EnumDataType(typeof(AuthorizationMode))]
    public AuthorizationMode AuthorizationMode { get; set; } = AuthorizationMode.Redirect;

    /// <summary>The registered redirect URI for the authorisation code flow.</summary>
    [Required]
    public Uri? RedirectUri { get; set; }

    /// <summary>The platform's account at this bank: creditor of top-ups, debtor of payouts.</summary>
    [Required]
    public AccountOptions? PlatformAccount { get; set; }

    /// <summary>Per-attempt timeout of one HTTP call.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:05:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after the first attempt (transient faults only).</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 4;

    /// <summary>Base of the exponential back-off (with jitter). OBIE asks for at least 1 s between duplicates.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest <c>Retry-After</c> honoured; a longer one fails the call as throttled.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Failure ratio over the sampling window that opens this bank's circuit.</summary>
    [Range(0.01, 1.0)]
    public double CircuitFailureRatio { get; set; } = 0.5;

    /// <summary>Minimum calls in the window before the breaker may open.</summary>
    [Range(2, 10_000)]
    public int CircuitMinimumThroughput { get; set; } = 20;

    /// <summary>How long the circuit stays open.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Deviations this bank needs.</summary>
    public BankQuirks Quirks { get; set; } = new();

    /// <summary>The base path of the PIS API for <see cref="SpecVersion"/>.</summary>
    public string PisBasePath => SpecVersion == ObieVersion.V4_0 ? "/open-banking/v4.0/pisp" : "/open-banking/v3.1/pisp";
}
