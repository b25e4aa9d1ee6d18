using System.Text.Json;
using Settlement.Service.Reconciliation;

namespace Settlement.Service.Tests.Reconciliation;

/// <summary>
/// The report formats at their edges, expectations written out by hand: missing arguments, a break that carries a
/// difference, a CSV field whose special character comes first, two pairings (one empty) in the table, and control
/// characters in a table cell.
/// </summary>
public sealed class BreakReportEdgeTests
{
    public static TheoryData<string> Formats => ["json", "csv", "table"];

    [Theory]
    [MemberData(nameof(Formats))]
    public void Write_NullRun_ArgumentNullExceptionNamingRun(string format)
    {
        var error = Should.Throw<ArgumentNullException>(() => Write(format, null!, new MemoryStream(), new StringWriter()));

        error.ParamName.ShouldBe("run");
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Write_NullDestination_ArgumentNullExceptionNamingDestination(string format)
    {
        var run = TwoPairings();

        var error = Should.Throw<ArgumentNullException>(() => Write(format, run, null!, null!));

        error.ParamName.ShouldBe("destination");
    }

    [Fact]
    public void Reports_AmountMismatch_CarryTheDifference()
    {
        var pairing = Recon.BankLedger() with { Asset = "GBP" };
        var run = Reconciler.Run([Recon.FromBank("b1", "P1", -1_000), Recon.FromLedger("l1", "P1", -990)], [pairing]);

        using var json = JsonDocument.Parse(BreakReport.ToJson(run));
        var item = json.RootElement.GetProperty("pairings")[0].GetProperty("breaks")[0];
        item.GetProperty("reason").GetString().ShouldBe("AmountMismatch");
        item.GetProperty("difference").GetString().ShouldBe("-10");
        var rows = BreakReport.ToCsv(run).Split("\r\n");
        rows.Length.ShouldBe(4);
        rows[1].ShouldStartWith("bank-ledger,B1,AmountMismatch,Bank,b1,P1,GBP,-1000,2026-12-01T10:00:00.0000000Z,Payout,,-10,");
        rows[2].ShouldStartWith("bank-ledger,B1,AmountMismatch,Ledger,l1,P1,GBP,-990,2026-12-01T10:00:00.0000000Z,Payout,,-10,");
        rows[3].ShouldBe("");
    }

    [Fact]
    public void ToCsv_FieldStartingWithACommaOrAQuote_Quoted()
    {
        ReconciliationRecord[] records =
        [
            new(ReconciliationSource.Chain, ",z", "\"q", "tGBP", 7, Recon.T0, ReconciliationKind.ChannelFunded),
        ];

        var csv = BreakReport.ToCsv(Reconciler.Run(records, []));

        csv.ShouldBe(
            "pairing,item,reason,source,id,reference,asset,amount,at,kind,counterparty,difference,detail\r\n"
            + ",U1,NotInAnyPairing,Chain,\",z\",\"\"\"q\",tGBP,7,2026-12-01T10:00:00.0000000Z,ChannelFunded,,,\"No pairing of the run takes Chain records in tGBP (,z).\"\r\n");
    }

    [Fact]
    public void ToTable_TwoPairingsTheSecondEmpty_BlankLineBetweenAndNoAssetGrid()
    {
        BreakReport.ToTable(TwoPairings()).ShouldBe(
            "Pairing bank-ledger (Bank vs Ledger, GBP): tolerance 0, lag 1.00:00:00\n"
            + "Records: 1 Bank, 1 Ledger, 0 duplicate copies. Matches: 1 (0 with difference). Breaks: 0.\n"
            + "\n"
            + "Asset  Matched Bank  Matched Ledger  Unmatched Bank  Unmatched Ledger\n"
            + "-----  ------------  --------------  --------------  ----------------\n"
            + "GBP               5               5               0                 0\n"
            + "\n"
            + "No breaks and no differences.\n"
            + "\n"
            + "Pairing chain-ledger (Chain vs Ledger, tGBP): tolerance 0, lag 1.00:00:00\n"
            + "Records: 0 Chain, 0 Ledger, 0 duplicate copies. Matches: 0 (0 with difference). Breaks: 0.\n"
            + "\n"
            + "No breaks and no differences.\n");
    }

    [Fact]
    public void ToTable_ControlCharactersInACell_ShownEscaped()
    {
        ReconciliationRecord[] records =
        [
            new(ReconciliationSource.Chain, "a\tb\rc\u001b", null, "tGBP", 7, Recon.T0, ReconciliationKind.ChannelFunded),
        ];

        var table = BreakReport.ToTable(Reconciler.Run(records, []));

        table.ShouldBe(
            "Unassigned records (no pairing takes them): 1\n"
            + "\n"
            + "Item  Reason           Source  Id             Reference  Asset  Amount  At                            Kind           Detail\n"
            + "----  ---------------  ------  -------------  ---------  -----  ------  ----------------------------  -------------  ------------------------------------------------------------------\n"
            + "U1    NotInAnyPairing  Chain   a\\tb\\rc\\u001b  -          tGBP        7  2026-12-01T10:00:00.0000000Z  ChannelFunded  No pairing of the run takes Chain records in tGBP (a\\tb\\rc\\u001b).\n");
    }

    private static ReconciliationRunResult TwoPairings() =>
        Reconciler.Run(
            [Recon.FromBank("b1", "P1", 5), Recon.FromLedger("l1", "P1", 5)],
            [Recon.BankLedger() with { Asset = "GBP" }, Recon.ChainLedger() with { Asset = "tGBP" }]);

    private static void Write(string format, ReconciliationRunResult run, Stream stream, TextWriter writer)
    {
        switch (format)
        {
            case "json":
                BreakReport.WriteJson(run, stream);
                break;
            case "csv":
                BreakReport.WriteCsv(run, writer);
                break;
            default:
                BreakReport.WriteTable(run, writer);
                break;
        }
    }
}
