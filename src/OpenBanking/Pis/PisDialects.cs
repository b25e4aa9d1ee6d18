using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.Pis.Wire;

namespace Settlement.OpenBanking.Pis;

/// <summary>Dialect lookup and the parsing helpers both versions share.</summary>
internal static class PisDialects
{
    public static readonly IPisDialect V3 = new V3Dialect();
    public static readonly IPisDialect V4 = new V4Dialect();

    public static IPisDialect For(ObieVersion version) => version == ObieVersion.V4_0 ? V4 : V3;

    public static ObAmount Amount(Money m) => new() { Amount = m.ToObieAmount(), Currency = m.Currency };

    public static ObAccount? Account(AccountIdentification? a) =>
        a is null ? null : new ObAccount { SchemeName = a.SchemeName, Identification = a.Identification, Name = a.Name };

    /// <summary>The <c>Risk</c> block: the model's member names are the wire names; none given sends <c>{}</c>.</summary>
    public static PaymentRisk Risk(PaymentRisk? r) => r ?? new PaymentRisk(null, null, null, null, null, null);

    /// <summary><c>Yes</c> when asked for, else left out (the spec's default is not to share it).</summary>
    public static string? ReadRefund(PaymentInstruction i) => i.ReadRefundAccount ? "Yes" : null;

    /// <summary>A consent response of either version: the common <c>Data</c> fields plus the version's initiation.</summary>
    public static bool TryParseConsent(ObConsentResponseData? d, string? instructionId, ObAmount? amount, ObAccount? creditor,
        [NotNullWhen(true)] out PaymentConsent? consent, [NotNullWhen(false)] out string? error)
    {
        consent = null;
        if (d is null)
        {
            error = "Data missing";
            return false;
        }

        if (!TryParseConsentCore(d.ConsentId, d.Status, d.StatusUpdateDateTime, instructionId, amount, creditor, out var core, out error)
            || !TryCharges(d.Charges, out var charges, out error))
        {
            return false;
        }

        TryAccount(d.Debtor, out var debtor);
        consent = core with
        {
            ReadRefundAccount = d.ReadRefundAccount == "Yes",
            CutOff = Time(d.CutOffDateTime),
            AuthorisationCompletion = Time(d.Authorisation?.CompletionDateTime),
            Debtor = debtor,
            StatusReasons = Reasons(d.StatusReason),
            Charges = charges,
            ExpectedExecution = Time(d.ExpectedExecutionDateTime),
            ExpectedSettlement = Time(d.ExpectedSettlementDateTime),
        };
        return true;
    }

    /// <summary>A payment response of either version: the common <c>Data</c> fields plus the version's instructed amount.</summary>
    public static bool TryParsePayment(ObPaymentResponseData? d, ObAmount? amount, [NotNullWhen(true)] out DomesticPayment? payment, [NotNullWhen(false)] out string? error)
    {
        payment = null;
        if (d is null)
        {
            error = "Data missing";
            return false;
        }

        if (!TryParsePaymentCore(d.DomesticPaymentId, d.ConsentId, d.Status, d.StatusUpdateDateTime, amount, out var core, out error))
        {
            return false;
        }

        AccountIdentification? refund = null;
        if (d.Refund is not null && !TryAccount(d.Refund.Account, out refund))
        {
            error = "Data.Refund.Account lacks SchemeName or Identification";
            return false;
        }

        if (!TryCharges(d.Charges, out var charges, out error))
        {
            return false;
        }

        TryAccount(d.Debtor, out var debtor);
        payment = core with
        {
            Refund = refund,
            Debtor = debtor,
            StatusReasons = Reasons(d.StatusReason),
            Charges = charges,
            ExpectedExecution = Time(d.ExpectedExecutionDateTime),
            ExpectedSettlement = Time(d.ExpectedSettlementDateTime),
        };
        return true;
    }

    private static List<StatusReason> Reasons(List<ObStatusReason>? reasons) =>
        (reasons ?? []).Where(r => r is not null && (r.StatusReasonCode is { Length: > 0 } || r.StatusReasonDescription is { Length: > 0 }))
            .Select(r => new StatusReason(r.StatusReasonCode ?? "", r.StatusReasonDescription)).ToList();

    private static bool TryCharges(List<ObCharge>? charges, out List<PaymentCharge> parsed, [NotNullWhen(false)] out string? error)
    {
        parsed = [];
        foreach (var c in charges ?? [])
        {
            if (c is null || string.IsNullOrEmpty(c.ChargeBearer) || string.IsNullOrEmpty(c.Type) || c.Amount is null
                || !Money.TryParseObie(c.Amount.Amount, c.Amount.Currency, out var amount))
            {
                error = "Data.Charges entry lacks ChargeBearer, Type or a valid Amount";
                return false;
            }

            parsed.Add(new PaymentCharge(c.ChargeBearer, c.Type, amount.Value));
        }

        error = null;
        return true;
    }

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, WireJson.Options);

    public static bool TryDeserialize<T>(ReadOnlySpan<byte> json, [NotNullWhen(true)] out T? value, [NotNullWhen(false)] out string? error)
        where T : class
    {
        try
        {
            value = JsonSerializer.Deserialize<T>(json, WireJson.Options);
            if (value is null)
            {
                error = "body is JSON null";
                return false;
            }

            error = null;
            return true;
        }
        catch (JsonException ex)
        {
            value = null;
            error = $"not valid JSON for {typeof(T).Name} (line {ex.LineNumber}, path {ex.Path})";
            return false;
        }
    }

    public static bool TryMoney(ObAmount? a, [NotNullWhen(true)] out Money? money, out string? error)
    {
        if (a is null || !Money.TryParseObie(a.Amount, a.Currency, out money))
        {
            money = null;
            error = "InstructedAmount missing or not a valid OBIE amount";
            return false;
        }

        error = null;
        return true;
    }

    public static bool TryAccount(ObAccount? a, [NotNullWhen(true)] out AccountIdentification? account)
    {
        if (a is { SchemeName.Length: > 0, Identification.Length: > 0 })
        {
            account = new AccountIdentification(a.SchemeName, a.Identification, a.Name ?? "");
            return true;
        }

        account = null;
        return false;
    }

    public static DateTimeOffset? Time(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    public static bool TryParseConsentCore(string? consentId, string? status, string? updated, string? instructionId, ObAmount? amount, ObAccount? creditor,
        [NotNullWhen(true)] out PaymentConsent? consent, [NotNullWhen(false)] out string? error)
    {
        consent = null;
        if (string.IsNullOrEmpty(consentId) || consentId.Length > 128)
        {
            error = "Data.ConsentId missing";
            return false;
        }

        if (string.IsNullOrEmpty(status))
        {
            error = "Data.Status missing";
            return false;
        }

        if (!TryMoney(amount, out var money, out var moneyError))
        {
            error = moneyError!;
            return false;
        }

        if (!TryAccount(creditor, out var creditorAccount))
        {
            error = "Data.Initiation.CreditorAccount missing";
            return false;
        }

        error = null;
        consent = new PaymentConsent(consentId, ConsentStatus.FromCode(status), money.Value, creditorAccount, instructionId ?? "", Time(updated));
        return true;
    }

    public static bool TryParsePaymentCore(string? paymentId, string? consentId, string? status, string? updated, ObAmount? amount,
        [NotNullWhen(true)] out DomesticPayment? payment, [NotNullWhen(false)] out string? error)
    {
        payment = null;
        if (string.IsNullOrEmpty(paymentId) || paymentId.Length > 128)
        {
            error = "Data.DomesticPaymentId missing";
            return false;
        }

        if (string.IsNullOrEmpty(consentId))
        {
            error = "Data.ConsentId missing";
            return false;
        }

        if (string.IsNullOrEmpty(status))
        {
            error = "Data.Status missing";
            return false;
        }

        if (!TryMoney(amount, out var money, out var moneyError))
        {
            error = moneyError!;
            return false;
        }

        error = null;
        payment = new DomesticPayment(paymentId, consentId, PaymentStatus.FromCode(status), money.Value, Time(updated));
        return true;
    }
}
