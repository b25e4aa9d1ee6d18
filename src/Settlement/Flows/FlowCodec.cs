using System.Text.Json;

namespace Settlement.Service.Flows;

/// <summary>Typed flows ↔ <see cref="StoredFlow"/> rows (the payload is JSON); decoding validates the data per state.</summary>
internal static class FlowCodec
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static StoredFlow Encode(TopupFlow flow) => new(
        flow.Id, flow.Kind, flow.State.ToString(), flow.IsFinished,
        JsonSerializer.Serialize(new TopupPayload(flow.Request, flow.AuthorizationUrl, flow.Funding, flow.Problem, flow.Return), Json),
        flow.Version, flow.CreatedAt, flow.UpdatedAt);

    public static StoredFlow Encode(PayoutFlow flow) => new(
        flow.Id, FlowKind.Payout, flow.State.ToString(), flow.IsFinished,
        JsonSerializer.Serialize(new PayoutPayload(flow.Order, flow.Burn, flow.Problem, flow.Return), Json),
        flow.Version, flow.CreatedAt, flow.UpdatedAt);

    /// <exception cref="InvalidDataException">Not a top-up or recharge, or its data does not fit its state.</exception>
    public static TopupFlow DecodeTopup(StoredFlow stored)
    {
        if (stored.Kind is not (FlowKind.Topup or FlowKind.Recharge) || !Enum.TryParse<TopupFlowState>(stored.State, out var state) || !Enum.IsDefined(state))
        {
            throw new InvalidDataException($"Flow {stored.Id:N} is not a top-up in a known state ({stored.Kind}, '{stored.State}').");
        }

        var payload = Read<TopupPayload>(stored);
        return new TopupFlow
        {
            Id = stored.Id, Request = payload.Request, State = state, Version = stored.Version, CreatedAt = stored.CreatedAt, UpdatedAt = stored.UpdatedAt,
            AuthorizationUrl = payload.AuthorizationUrl, Funding = payload.Funding, Problem = payload.Problem, Return = payload.Return,
        }.Validate(stored.Kind);
    }

    /// <exception cref="InvalidDataException">Not a payout, or its data does not fit its state.</exception>
    public static PayoutFlow DecodePayout(StoredFlow stored)
    {
        if (stored.Kind != FlowKind.Payout || !Enum.TryParse<PayoutFlowState>(stored.State, out var state) || !Enum.IsDefined(state))
        {
            throw new InvalidDataException($"Flow {stored.Id:N} is not a payout in a known state ({stored.Kind}, '{stored.State}').");
        }

        var payload = Read<PayoutPayload>(stored);
        return new PayoutFlow
        {
            Id = stored.Id, Order = payload.Order, State = state, Version = stored.Version, CreatedAt = stored.CreatedAt, UpdatedAt = stored.UpdatedAt,
            Burn = payload.Burn, Problem = payload.Problem, Return = payload.Return,
        }.Validate();
    }

    /// <exception cref="InvalidDataException">Unknown kind, or data that does not fit its state.</exception>
    public static FlowSnapshot Snapshot(StoredFlow stored)
    {
        switch (stored.Kind)
        {
            case FlowKind.Topup or FlowKind.Recharge:
                var t = DecodeTopup(stored);
                return new FlowSnapshot(t.Id, t.Kind, t.State.ToString(), t.IsFinished, t.NeedsAttention, t.Version, t.Problem, t.UpdatedAt);
            case FlowKind.Payout:
                var p = DecodePayout(stored);
                return new FlowSnapshot(p.Id, FlowKind.Payout, p.State.ToString(), p.IsFinished, p.NeedsAttention, p.Version, p.Problem, p.UpdatedAt);
            default:
                throw new InvalidDataException($"Flow {stored.Id:N} has unknown kind {stored.Kind}.");
        }
    }

    private static T Read<T>(StoredFlow stored)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(stored.Payload, Json) ?? throw new InvalidDataException($"Flow {stored.Id:N} has an empty payload.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Flow {stored.Id:N} has an unreadable payload: {e.Message}", e);
        }
    }

    private sealed record TopupPayload(TopupRequest Request, Uri? AuthorizationUrl, ChainStep? Funding, FlowProblem? Problem, BankReturn? Return);

    private sealed record PayoutPayload(PayoutOrder Order, ChainStep? Burn, FlowProblem? Problem, BankReturn? Return);
}
