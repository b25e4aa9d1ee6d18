using System.Text.Json.Nodes;

namespace Settlement.BankSandbox.Tests.Support;

/// <summary>Request bodies in the OBIE shapes (the same for v3.1.11 and v4.0 for these fields).</summary>
public static class Bodies
{
    public const string Customer = "60161331926819";
    public const string Platform = "04000412345678";
    public const string Merchant = "20000055555555";

    public static JsonObject Initiation(string amount = "10.50", string creditor = Platform, string? debtor = Customer, string reference = "instr-1") => new()
    {
        ["InstructionIdentification"] = reference,
        ["EndToEndIdentification"] = "e2e-" + reference,
        ["InstructedAmount"] = new JsonObject { ["Amount"] = amount, ["Currency"] = "GBP" },
        ["DebtorAccount"] = debtor is null ? null : new JsonObject { ["SchemeName"] = "UK.OBIE.SortCodeAccountNumber", ["Identification"] = debtor, ["Name"] = "Customer" },
        ["CreditorAccount"] = new JsonObject { ["SchemeName"] = "UK.OBIE.SortCodeAccountNumber", ["Identification"] = creditor, ["Name"] = "Platform" },
    };

    public static JsonObject Consent(JsonObject initiation)
    {
        if (initiation["DebtorAccount"] is null)
        {
            initiation.Remove("DebtorAccount");
        }

        return new JsonObject
        {
            ["Data"] = new JsonObject { ["Initiation"] = initiation },
            ["Risk"] = new JsonObject { ["PaymentContextCode"] = "TransferToThirdParty" },
        };
    }

    public static JsonObject Payment(string consentId, JsonObject initiation)
    {
        if (initiation["DebtorAccount"] is null)
        {
            initiation.Remove("DebtorAccount");
        }

        return new JsonObject
        {
            ["Data"] = new JsonObject { ["ConsentId"] = consentId, ["Initiation"] = initiation },
            ["Risk"] = new JsonObject { ["PaymentContextCode"] = "TransferToThirdParty" },
        };
    }
}
