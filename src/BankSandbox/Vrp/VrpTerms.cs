using System.Globalization;
using System.Text.Json.Nodes;
using Settlement.BankSandbox.Errors;
using Settlement.BankSandbox.Payments;

namespace Settlement.BankSandbox.Vrp;

/// <summary>
/// A domestic VRP consent's control parameters (OBDomesticVRPControlParameters) as the bank enforces them. The
/// payments list is mutated only under the ledger's gate.
/// </summary>
internal sealed class VrpTerms
{
    public const string Sweeping = "UK.OBIE.VRPType.Sweeping";
    public static readonly string[] VrpTypes = [Sweeping, "UK.OBIE.VRPType.Other"];
    public static readonly string[] AuthenticationMethods = ["UK.OBIE.SCA", "UK.OBIE.SCANotRequired"];

    private VrpTerms(JsonObject controlParameters, string[] vrpTypes, string[] authenticationMethods, DateTimeOffset? validFrom, DateTimeOffset? validTo, long maximumIndividualMinor, IReadOnlyList<PeriodicLimit> limits)
    {
        ControlParameters = controlParameters;
        AllowedVrpTypes = vrpTypes;
        AllowedAuthenticationMethods = authenticationMethods;
        ValidFrom = validFrom;
        ValidTo = validTo;
        MaximumIndividualMinor = maximumIndividualMinor;
        Limits = limits;
    }

    /// <summary>The control parameters as requested (echoed in consent responses).</summary>
    public JsonObject ControlParameters { get; }

    public IReadOnlyList<string> AllowedVrpTypes { get; }

    public IReadOnlyList<string> AllowedAuthenticationMethods { get; }

    public DateTimeOffset? ValidFrom { get; }

    public DateTimeOffset? ValidTo { get; }

    public long MaximumIndividualMinor { get; }

    public IReadOnlyList<PeriodicLimit> Limits { get; }

    /// <summary>The VRPs made under the consent (all states; rejected ones do not count against the limits).</summary>
    public List<PaymentRecord> Payments { get; } = [];

    /// <summary>
    /// Parses and checks schema-valid control parameters beyond the schema: enumerations the spec gives as namespaced
    /// enums, sweeping only, GBP amounts, dates with a zone and a future end, Fortnight only consent-aligned.
    /// </summary>
    public static VrpTerms Parse(JsonObject cp, DateTimeOffset now)
    {
        const string root = "Data.ControlParameters";
        var types = Strings(cp["VRPType"]);
        for (var i = 0; i < types.Length; i++)
        {
            if (!VrpTypes.Contains(types[i], StringComparer.Ordinal))
            {
                throw ObProblemException.BadRequest(ObErrorCode.FieldInvalid, "VRPType must be UK.OBIE.VRPType.Sweeping or UK.OBIE.VRPType.Other", $"{root}.VRPType[{i}]");
            }
        }

        if (!types.Contains(Sweeping, StringComparer.Ordinal))
        {
            throw ObProblemException.BadRequest(ObErrorCode.FieldInvalid, "the sandbox offers sweeping VRP only (UK.OBIE.VRPType.Sweeping)", root + ".VRPType");
        }

        var methods = Strings(cp["PSUAuthenticationMethods"]);
        for (var i = 0; i < methods.Length; i++)
        {
            if (!AuthenticationMethods.Contains(methods[i], StringComparer.Ordinal))
            {
                throw ObProblemException.BadRequest(ObErrorCode.FieldInvalid, "PSUAuthenticationMethods must be UK.OBIE.SCA or UK.OBIE.SCANotRequired", $"{root}.PSUAuthenticationMethods[{i}]");
            }
        }

        var from = Date(cp["ValidFromDateTime"], root + ".ValidFromDateTime");
        var to = Date(cp["ValidToDateTime"], root + ".ValidToDateTime");
        if (to is { } end && (end <= now || (from is { } start && end <= start)))
        {
            throw ObProblemException.BadRequest(ObErrorCode.FieldInvalidDate, "ValidToDateTime must be in the future and after ValidFromDateTime", root + ".ValidToDateTime");
        }

        var maximum = Amount(cp["MaximumIndividualAmount"]!["Amount"], cp["MaximumIndividualAmount"]!["Currency"], root + ".MaximumIndividualAmount");
        var limits = new List<PeriodicLimit>();
        var items = (JsonArray)cp["PeriodicLimits"]!;
        for (var i = 0; i < items.Count; i++)
        {
            var path = $"{root}.PeriodicLimits[{i}]";
            var item = items[i]!;
            var type = item["PeriodType"]!.GetValue<string>();
            var calendar = item["PeriodAlignment"]!.GetValue<string>() == "Calendar";
            if (calendar && type == "Fortnight")
            {
                // OBDomesticVRPControlParameters: a Fortnight PeriodType must be Consent-aligned.
                throw ObProblemException.BadRequest(ObErrorCode.FieldInvalid, "a Fortnight limit must have PeriodAlignment Consent", path + ".PeriodAlignment");
            }

            limits.Add(new PeriodicLimit(type, calendar, Amount(item["Amount"], item["Currency"], path)));
        }

        return new VrpTerms((JsonObject)cp.DeepClone(), types, methods, from, to, maximum, limits);
    }

    /// <summary>
    /// The refusal of a new VRP of <paramref name="amountMinor"/> at <paramref name="now"/> (a message and the path of
    /// the control parameter it breaks), or null when it is within every limit. Caller holds the ledger's gate.
    /// </summary>
    public (string Message, string Path)? BreachLocked(long amountMinor, DateTimeOffset now, DateTimeOffset consentCreated)
    {
        if (ValidFrom is { } from && now < from)
        {
            return ("the consent is not valid before ValidFromDateTime", "Data.ControlParameters.ValidFromDateTime");
        }

        if (amountMinor > MaximumIndividualMinor)
        {
            return ($"{Money.Format(amountMinor)} exceeds MaximumIndividualAmount {Money.Format(MaximumIndividualMinor)}", "Data.ControlParameters.MaximumIndividualAmount");
        }

        var anchor = ValidFrom ?? consentCreated;
        for (var i = 0; i < Limits.Count; i++)
        {
            var limit = Limits[i];
            var (start, end) = limit.PeriodAt(anchor, now);
            var used = Payments.Where(p => p.State != PaymentState.Rejected && p.Created >= start && p.Created < end).Sum(p => p.AmountMinor);
            if (used + amountMinor > limit.AmountMinor)
            {
                return ($"{Money.Format(amountMinor)} with {Money.Format(used)} already paid this {limit.PeriodType} ({limit.Alignment}) exceeds {Money.Format(limit.AmountMinor)}", $"Data.ControlParameters.PeriodicLimits[{i.ToString(CultureInfo.InvariantCulture)}]");
            }
        }

        return null;
    }

    private static string[] Strings(JsonNode? node) => node is JsonArray a ? a.Select(n => n!.GetValue<string>()).ToArray() : [];

    private static DateTimeOffset? Date(JsonNode? node, string path)
    {
        if (node is not JsonValue v || !v.TryGetValue<string>(out var text))
        {
            return null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) && PisEndpoints.HasOffset(text)
            ? at
            : throw ObProblemException.BadRequest(ObErrorCode.FieldInvalidDate, "an ISO 8601 date-time with a time zone is required", path);
    }

    private static long Amount(JsonNode? amount, JsonNode? currency, string path)
    {
        if (currency?.GetValue<string>() != "GBP")
        {
            throw ObProblemException.BadRequest(ObErrorCode.UnsupportedCurrency, "the sandbox pays GBP only", path + ".Currency");
        }

        return Money.TryParseMinor(amount?.GetValue<string>(), out var minor)
            ? minor
            : throw ObProblemException.BadRequest(ObErrorCode.FieldInvalid, "amount must be positive with at most 2 decimals", path + ".Amount");
    }
}
