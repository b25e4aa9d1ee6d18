using System.Text;
using Settlement.Service.Reconciliation;

namespace Settlement.Service.Tests.Reconciliation;

/// <summary>
/// The three report formats against expectations written out by hand (not produced by the code under test). One run:
/// an exact match, a match with a difference whose reference holds a comma, quotes and a newline (and a counterparty
/// with a comma and quotes), a payout return missing in the ledger, and a record no pairing takes.
/// </summary>
public sealed class BreakReportTests
{
    private const string Odd = "R,\"2\"\nx";

    private static ReconciliationRunResult Sample()
    {
        var t0 = Recon.T0;
        ReconciliationRecord[] records =
        [
            new(ReconciliationSource.Chain, "0xff:1", null, "tGBP", 7, t0, ReconciliationKind.ChannelFunded),
            new(ReconciliationSource.Bank, "b3", "P3", "GBP", 1000, t0.AddHours(3), ReconciliationKind.PayoutReturn),
            new(ReconciliationSource.Ledger, "l2", Odd, "GBP", -498, t0.AddHours(2), ReconciliationKind.Payout),
            new(ReconciliationSource.Bank, "b2", Odd, "GBP", -500, t0.AddHours(2), ReconciliationKind.Payout, "Acme, \"Ltd\""),
            new(ReconciliationSource.Ledger, "l1", "P1", "GBP", -1000, t0.AddHours(1), ReconciliationKind.Payout),
            new(ReconciliationSource.Bank, "b1", "P1", "GBP", -1000, t0, ReconciliationKind.Payout),
        ];
        var pairing = new ReconciliationPairing(
            "bank-ledger",
            ReconciliationSource.Bank,
            ReconciliationSource.Ledger,
            new ReconciliationRules { AmountTolerance = 2, MaxDateLag = TimeSpan.FromDays(1) })
        {
            Asset = "GBP",
        };
        return Reconciler.Run(records, [pairing]);
    }

    [Fact]
    public void ToJson_SampleRun_ExactDocument()
    {
        const string expected = """
        {
          "pairings": [
            {
              "name": "bank-ledger",
              "left": "Bank",
              "right": "Ledger",
              "asset": "GBP",
              "amountTolerance": "2",
              "maxDateLag": "1.00:00:00",
              "totals": {
                "leftRecords": 3,
                "rightRecords": 2,
                "duplicateCopies": 0,
                "matches": 2,
                "matchesWithDifference": 1,
                "matchedLeft": 2,
                "matchedRight": 2,
                "breaks": 1,
                "assets": [
                  {
                    "asset": "GBP",
                    "matchedLeft": "-1500",
                    "matchedRight": "-1498",
                    "unmatchedLeft": "1000",
                    "unmatchedRight": "0"
                  }
                ]
              },
              "breaks": [
                {
                  "reason": "MissingInLedger",
                  "detail": "No Ledger record matches Bank b3 (PayoutReturn, 1000 GBP, reference P3).",
                  "difference": null,
                  "records": [
                    {
                      "source": "Bank",
                      "id": "b3",
                      "reference": "P3",
                      "asset": "GBP",
                      "amount": "1000",
                      "at": "2026-12-01T13:00:00.0000000Z",
                      "kind": "PayoutReturn",
                      "counterparty": null
                    }
                  ]
                }
              ],
              "differences": [
                {
                  "rule": "ReferenceWithinTolerance",
                  "difference": "-2",
                  "left": [
                    {
                      "source": "Bank",
                      "id": "b2",
                      "reference": "R,\"2\"\nx",
                      "asset": "GBP",
                      "amount": "-500",
                      "at": "2026-12-01T12:00:00.0000000Z",
                      "kind": "Payout",
                      "counterparty": "Acme, \"Ltd\""
                    }
                  ],
                  "right": [
                    {
                      "source": "Ledger",
                      "id": "l2",
                      "reference": "R,\"2\"\nx",
                      "asset": "GBP",
                      "amount": "-498",
                      "at": "2026-12-01T12:00:00.0000000Z",
                      "kind": "Payout",
                      "counterparty": null
                    }
                  ]
                }
              ]
            }
          ],
          "unassigned": [
            {
              "reason": "NotInAnyPairing",
              "detail": "No pairing of the run takes Chain records in tGBP (0xff:1).",
              "difference": null,
              "records": [
                {
                  "source": "Chain",
                  "id": "0xff:1",
                  "reference": null,
                  "asset": "tGBP",
                  "amount": "7",
                  "at": "2026-12-01T10:00:00.0000000Z",
                  "kind": "ChannelFunded",
                  "counterparty": null
                }
              ]
            }
          ]
        }
        """;

        BreakReport.ToJson(Sample()).ShouldBe(expected + "\n");
    }

    [Fact]
    public void WriteJson_SampleRun_Utf8WithoutByteOrderMark()
    {
        using var buffer = new MemoryStream();

        BreakReport.WriteJson(Sample(), buffer);

        buffer.ToArray()[0].ShouldBe((byte)'{');
        Encoding.UTF8.GetString(buffer.ToArray()).ShouldBe(BreakReport.ToJson(Sample()));
    }

    [Fact]
    public void ToCsv_SampleRun_Rfc4180Rows()
    {
        var expected =
            "pairing,item,reason,source,id,reference,asset,amount,at,kind,counterparty,difference,detail\r\n"
            + "bank-ledger,B1,MissingInLedger,Bank,b3,P3,GBP,1000,2026-12-01T13:00:00.0000000Z,PayoutReturn,,,\"No Ledger record matches Bank b3 (PayoutReturn, 1000 GBP, reference P3).\"\r\n"
            + "bank-ledger,D1,MatchedWithDifference,Bank,b2,\"R,\"\"2\"\"\nx\",GBP,-500,2026-12-01T12:00:00.0000000Z,Payout,\"Acme, \"\"Ltd\"\"\",-2,Matched by ReferenceWithinTolerance with a difference of -2 (within the tolerance 2).\r\n"
            + "bank-ledger,D1,MatchedWithDifference,Ledger,l2,\"R,\"\"2\"\"\nx\",GBP,-498,2026-12-01T12:00:00.0000000Z,Payout,,-2,Matched by ReferenceWithinTolerance with a difference of -2 (within the tolerance 2).\r\n"
            + ",U1,NotInAnyPairing,Chain,0xff:1,,tGBP,7,2026-12-01T10:00:00.0000000Z,ChannelFunded,,,No pairing of the run takes Chain records in tGBP (0xff:1).\r\n";

        BreakReport.ToCsv(Sample()).ShouldBe(expected);
    }

    [Fact]
    public void ToCsv_SampleRun_ParsesBackToTheFields()
    {
        // A minimal RFC 4180 reader, independent of the writer: the odd reference and counterparty survive intact.
        var rows = ParseCsv(BreakReport.ToCsv(Sample()));

        rows.Count.ShouldBe(5);
        rows.ShouldAllBe(r => r.Count == 13);
        rows[2][5].ShouldBe(Odd);
        rows[2][10].ShouldBe("Acme, \"Ltd\"");
        rows[1][12].ShouldBe("No Ledger record matches Bank b3 (PayoutReturn, 1000 GBP, reference P3).");
    }

    [Fact]
    public void ToTable_SampleRun_FixedWidthColumns()
    {
        const string expected = """
        Pairing bank-ledger (Bank vs Ledger, GBP): tolerance 2, lag 1.00:00:00
        Records: 3 Bank, 2 Ledger, 0 duplicate copies. Matches: 2 (1 with difference). Breaks: 1.

        Asset  Matched Bank  Matched Ledger  Unmatched Bank  Unmatched Ledger
        -----  ------------  --------------  --------------  ----------------
        GBP           -1500           -1498            1000                 0

        Item  Reason                 Source  Id  Reference  Asset  Amount  At                            Kind          Detail
        ----  ---------------------  ------  --  ---------  -----  ------  ----------------------------  ------------  -------------------------------------------------------------------------------------
        B1    MissingInLedger        Bank    b3  P3         GBP      1000  2026-12-01T13:00:00.0000000Z  PayoutReturn  No Ledger record matches Bank b3 (PayoutReturn, 1000 GBP, reference P3).
        D1    MatchedWithDifference  Bank    b2  R,"2"\nx   GBP      -500  2026-12-01T12:00:00.0000000Z  Payout        Matched by ReferenceWithinTolerance with a difference of -2 (within the tolerance 2).
        D1    MatchedWithDifference  Ledger  l2  R,"2"\nx   GBP      -498  2026-12-01T12:00:00.0000000Z  Payout        Matched by ReferenceWithinTolerance with a difference of -2 (within the tolerance 2).

        Unassigned records (no pairing takes them): 1

        Item  Reason           Source  Id      Reference  Asset  Amount  At                            Kind           Detail
        ----  ---------------  ------  ------  ---------  -----  ------  ----------------------------  -------------  -----------------------------------------------------------
        U1    NotInAnyPairing  Chain   0xff:1  -          tGBP        7  2026-12-01T10:00:00.0000000Z  ChannelFunded  No pairing of the run takes Chain records in tGBP (0xff:1).
        """;

        BreakReport.ToTable(Sample()).ShouldBe(expected + "\n");
    }

    [Fact]
    public void ToTable_NoBreaks_SaysSo()
    {
        var pairing = Recon.BankLedger();
        var result = Reconciler.Run(pairing, [Recon.FromBank("b1", "P1", 5)], [Recon.FromLedger("l1", "P1", 5)]);

        BreakReport.ToTable(new ReconciliationRunResult(result)).ShouldBe(
            "Pairing bank-ledger (Bank vs Ledger): tolerance 0, lag 1.00:00:00\n"
            + "Records: 1 Bank, 1 Ledger, 0 duplicate copies. Matches: 1 (0 with difference). Breaks: 0.\n"
            + "\n"
            + "Asset  Matched Bank  Matched Ledger  Unmatched Bank  Unmatched Ledger\n"
            + "-----  ------------  --------------  --------------  ----------------\n"
            + "GBP               5               5               0                 0\n"
            + "\n"
            + "No breaks and no differences.\n");
    }

    [Fact]
    public void Reports_SameRecordsInAnotherOrder_ByteIdentical()
    {
        var one = Sample();
        var records = one.Pairings[0].Matches.SelectMany(m => m.Right.Concat(m.Left))
            .Concat(one.Pairings[0].Breaks.SelectMany(b => b.Records))
            .Concat(one.Unassigned.SelectMany(b => b.Records))
            .Reverse()
            .ToArray();
        var other = Reconciler.Run(records, [one.Pairings[0].Pairing]);

        BreakReport.ToJson(other).ShouldBe(BreakReport.ToJson(one));
        BreakReport.ToCsv(other).ShouldBe(BreakReport.ToCsv(one));
        BreakReport.ToTable(other).ShouldBe(BreakReport.ToTable(one));
    }

    private static List<List<string>> ParseCsv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
                i++;
            }
            else
            {
                field.Append(c);
            }
        }

        return rows;
    }
}
