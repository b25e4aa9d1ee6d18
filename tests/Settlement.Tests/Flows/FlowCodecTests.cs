using System.Text.Json;
using Settlement.Service.Flows;

namespace Settlement.Service.Tests.Flows;

/// <summary>A stored flow row that is not what its reader expects is refused with a message naming the flow and what is wrong.</summary>
public sealed class FlowCodecTests
{
    private static readonly Guid Id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(FlowKind.Payout, "Created")]
    [InlineData(FlowKind.Topup, "Bogus")]
    [InlineData(FlowKind.Recharge, "99")]
    public void DecodeTopup_NotATopupInAKnownState_Refused(FlowKind kind, string state)
    {
        var e = Should.Throw<InvalidDataException>(() => FlowCodec.DecodeTopup(Row(kind, state, "{}")));

        e.Message.ShouldBe($"Flow 0f8fad5bd9cb469fa16570867728950e is not a top-up in a known state ({kind}, '{state}').");
    }

    [Theory]
    [InlineData(FlowKind.Topup, "Created")]
    [InlineData(FlowKind.Payout, "Bogus")]
    public void DecodePayout_NotAPayoutInAKnownState_Refused(FlowKind kind, string state)
    {
        var e = Should.Throw<InvalidDataException>(() => FlowCodec.DecodePayout(Row(kind, state, "{}")));

        e.Message.ShouldBe($"Flow 0f8fad5bd9cb469fa16570867728950e is not a payout in a known state ({kind}, '{state}').");
    }

    [Fact]
    public void Snapshot_UnknownKind_Refused()
    {
        var e = Should.Throw<InvalidDataException>(() => FlowCodec.Snapshot(Row((FlowKind)42, "Created", "{}")));

        e.Message.ShouldBe("Flow 0f8fad5bd9cb469fa16570867728950e has unknown kind 42.");
    }

    [Theory]
    [InlineData(FlowKind.Topup)]
    [InlineData(FlowKind.Payout)]
    public void Decode_NullPayload_RefusedAsEmpty(FlowKind kind)
    {
        var row = Row(kind, "Created", "null");

        var e = Should.Throw<InvalidDataException>(() => FlowCodec.Snapshot(row));

        e.Message.ShouldBe("Flow 0f8fad5bd9cb469fa16570867728950e has an empty payload.");
    }

    [Fact]
    public void Decode_PayloadThatIsNotJson_RefusedWithTheParsersMessageAndCause()
    {
        var e = Should.Throw<InvalidDataException>(() => FlowCodec.DecodeTopup(Row(FlowKind.Topup, "Created", "{\"request\":")));

        e.InnerException.ShouldBeAssignableTo<JsonException>();
        e.Message.ShouldStartWith("Flow 0f8fad5bd9cb469fa16570867728950e has an unreadable payload: ");
        e.Message.ShouldBe("Flow 0f8fad5bd9cb469fa16570867728950e has an unreadable payload: " + e.InnerException!.Message);
    }

    private static StoredFlow Row(FlowKind kind, string state, string payload) => new(Id, kind, state, false, payload, 1, T0, T0);
}
