using System.Data;
using Settlement.Service.Flows;

namespace Settlement.Service.Tests.Flows;

/// <summary>
/// What the SQLite and PostgreSQL flow stores share: the argument refusals (exact exception and parameter), the
/// transition and consent columns read from a row (nullable columns both ways), and the consent's parameters by name
/// and type. Rows come from a <see cref="DataTable"/> reader, so no database is needed.
/// </summary>
public sealed class FlowStoreRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid Id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");

    [Fact]
    public void CheckInsert_VersionOne_Accepted()
    {
        Should.NotThrow(() => FlowStoreRules.CheckInsert(Flow(1), "created"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void CheckInsert_OtherVersion_Refused(long version)
    {
        var e = Should.Throw<ArgumentException>(() => FlowStoreRules.CheckInsert(Flow(version), "created"));

        e.ParamName.ShouldBe("flow");
        e.Message.ShouldBe($"A new flow has version 1, not {version}. (Parameter 'flow')");
    }

    [Fact]
    public void CheckInsertAndUpdate_NoFlow_ArgumentNull()
    {
        Should.Throw<ArgumentNullException>(() => FlowStoreRules.CheckInsert(null!, "created")).ParamName.ShouldBe("flow");
        Should.Throw<ArgumentNullException>(() => FlowStoreRules.CheckUpdate(null!, "moved")).ParamName.ShouldBe("next");
    }

    [Fact]
    public void CheckInsertAndUpdate_NoEvent_Refused()
    {
        Should.Throw<ArgumentException>(() => FlowStoreRules.CheckInsert(Flow(1), "")).ParamName.ShouldBe("@event");
        Should.Throw<ArgumentException>(() => FlowStoreRules.CheckUpdate(Flow(2), "")).ParamName.ShouldBe("@event");
        Should.Throw<ArgumentNullException>(() => FlowStoreRules.CheckInsert(Flow(1), null!)).ParamName.ShouldBe("@event");
        Should.Throw<ArgumentNullException>(() => FlowStoreRules.CheckUpdate(Flow(2), null!)).ParamName.ShouldBe("@event");
    }

    [Fact]
    public void CheckUpdate_AnyVersionWithAnEvent_Accepted()
    {
        Should.NotThrow(() => FlowStoreRules.CheckUpdate(Flow(7), "moved"));
    }

    [Fact]
    public void ReadTransition_BothNullableColumnsSetOrNull()
    {
        using var table = new DataTable();
        table.Columns.Add("seq", typeof(long));
        table.Columns.Add("version", typeof(long));
        table.Columns.Add("at", typeof(long));
        table.Columns.Add("from_state", typeof(string));
        table.Columns.Add("to_state", typeof(string));
        table.Columns.Add("event", typeof(string));
        table.Columns.Add("detail", typeof(string));
        table.Rows.Add(1L, 1L, T0.UtcTicks, DBNull.Value, "Created", "created", DBNull.Value);
        table.Rows.Add(2L, 2L, T0.AddMinutes(5).UtcTicks, "Created", "AwaitingBank", "bank-started", "payment p-1");
        using var reader = table.CreateDataReader();

        reader.Read().ShouldBeTrue();
        FlowStoreRules.ReadTransition(reader, Id).ShouldBe(new FlowTransition(1, Id, 1, T0, null, "Created", "created", null));
        reader.Read().ShouldBeTrue();
        FlowStoreRules.ReadTransition(reader, Id).ShouldBe(new FlowTransition(2, Id, 2, T0.AddMinutes(5), "Created", "AwaitingBank", "bank-started", "payment p-1"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BindConsent_EveryColumnByNameAndType(bool withEnd)
    {
        var bound = new List<(string Name, object Value)>();

        FlowStoreRules.BindConsent(Consent(withEnd), (name, value) => bound.Add((name, value)));

        bound.ShouldBe([
            ("id", "consent-1"), ("user", "user-1"), ("bank", "sandbox"),
            ("payer", "0x1111111111111111111111111111111111111111"), ("payee", "0x2222222222222222222222222222222222222222"),
            ("channel", "0x" + new string('7', 64)), ("perPayment", 5_000L), ("perPeriod", 20_000L), ("type", 4), ("alignment", 2),
            ("from", T0.UtcTicks), ("to", withEnd ? T0.AddDays(90).UtcTicks : DBNull.Value),
        ]);
    }

    [Fact]
    public void BindConsent_NoConsentOrNoBinder_ArgumentNull()
    {
        Should.Throw<ArgumentNullException>(() => FlowStoreRules.BindConsent(null!, (_, _) => { })).ParamName.ShouldBe("consent");
        Should.Throw<ArgumentNullException>(() => FlowStoreRules.BindConsent(Consent(true), null!)).ParamName.ShouldBe("add");
    }

    [Fact]
    public void ReadConsent_WithAndWithoutAnEnd()
    {
        using var table = new DataTable();
        foreach (var (name, type) in new[]
        {
            ("consent_id", typeof(string)), ("user_id", typeof(string)), ("bank", typeof(string)), ("payer", typeof(string)), ("payee", typeof(string)),
            ("channel_id", typeof(string)), ("max_per_payment", typeof(long)), ("max_per_period", typeof(long)), ("period_type", typeof(int)),
            ("period_alignment", typeof(int)), ("valid_from", typeof(long)), ("valid_to", typeof(long)),
        })
        {
            table.Columns.Add(name, type);
        }

        object[] Row(object validTo) =>
        [
            "consent-1", "user-1", "sandbox", "0x1111111111111111111111111111111111111111", "0x2222222222222222222222222222222222222222",
            "0x" + new string('7', 64), 5_000L, 20_000L, 4, 2, T0.UtcTicks, validTo,
        ];
        table.Rows.Add(Row(T0.AddDays(90).UtcTicks));
        table.Rows.Add(Row(DBNull.Value));
        using var reader = table.CreateDataReader();

        reader.Read().ShouldBeTrue();
        FlowStoreRules.ReadConsent(reader).ShouldBe(Consent(withEnd: true));
        reader.Read().ShouldBeTrue();
        FlowStoreRules.ReadConsent(reader).ShouldBe(Consent(withEnd: false));
    }

    private static StoredFlow Flow(long version) => new(Id, FlowKind.Topup, "Created", false, "{}", version, T0, T0);

    private static SweepingConsent Consent(bool withEnd) => new()
    {
        ConsentId = "consent-1",
        UserId = "user-1",
        Bank = "sandbox",
        PayerAddress = "0x1111111111111111111111111111111111111111",
        PayeeAddress = "0x2222222222222222222222222222222222222222",
        ChannelId = "0x" + new string('7', 64),
        MaxPerPaymentPence = 5_000,
        MaxPerPeriodPence = 20_000,
        PeriodType = SweepPeriodType.Month,
        PeriodAlignment = SweepPeriodAlignment.Calendar,
        ValidFrom = T0,
        ValidTo = withEnd ? T0.AddDays(90) : null,
    };
}
