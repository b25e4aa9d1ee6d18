using System.Data.Common;

namespace Settlement.Service.Flows;

/// <summary>
/// What the SQLite and PostgreSQL stores of flows (<see cref="IFlowStore"/>) and sweeping consents
/// (<see cref="ISweepingConsentStore"/>) share, so both refuse the same arguments for the same reasons and map the same
/// columns the same way (as <c>ChainIndexRules</c> does for the index stores). The SQL and the database-specific
/// encodings (ids, booleans) stay in each store.
/// </summary>
internal static class FlowStoreRules
{
    /// <summary>The columns of <c>settlement_flows</c>, in the order the stores read them.</summary>
    public const string FlowColumns = "id, kind, state, finished, payload, version, created_at, updated_at";

    /// <summary>The columns of <c>settlement_flow_transitions</c> that <see cref="ReadTransition"/> reads, in its order.</summary>
    public const string TransitionColumns = "seq, version, at, from_state, to_state, event, detail";

    /// <summary>The columns of <c>sweeping_consents</c>, in the order of <see cref="BindConsent"/>'s names and <see cref="ReadConsent"/>.</summary>
    public const string ConsentColumns =
        "consent_id, user_id, bank, payer, payee, channel_id, max_per_payment, max_per_period, period_type, period_alignment, valid_from, valid_to";

    /// <summary>Refuses the arguments of <see cref="IFlowStore.TryInsertAsync"/> that no store may write.</summary>
    /// <exception cref="ArgumentNullException">No flow.</exception>
    /// <exception cref="ArgumentException">No event, or the flow's version is not 1.</exception>
    public static void CheckInsert(StoredFlow flow, string @event)
    {
        ArgumentNullException.ThrowIfNull(flow);
        ArgumentException.ThrowIfNullOrEmpty(@event);
        if (flow.Version != 1)
        {
            throw new ArgumentException($"A new flow has version 1, not {flow.Version}.", nameof(flow));
        }
    }

    /// <summary>Refuses the arguments of <see cref="IFlowStore.TryUpdateAsync"/> that no store may write.</summary>
    /// <exception cref="ArgumentNullException">No flow.</exception>
    /// <exception cref="ArgumentException">No event.</exception>
    public static void CheckUpdate(StoredFlow next, string @event)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentException.ThrowIfNullOrEmpty(@event);
    }

    /// <summary>The transition of flow <paramref name="flowId"/> at the reader's row (columns <see cref="TransitionColumns"/>).</summary>
    public static FlowTransition ReadTransition(DbDataReader reader, Guid flowId) =>
        new(
            reader.GetInt64(0), flowId, reader.GetInt64(1), new DateTimeOffset(reader.GetInt64(2), TimeSpan.Zero),
            reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6));

    /// <summary>Binds <paramref name="consent"/> as parameters named id, user, bank, payer, payee, channel, perPayment, perPeriod, type, alignment, from, to.</summary>
    /// <param name="consent">The consent.</param>
    /// <param name="add">Adds one parameter (the store adds its prefix to the name).</param>
    public static void BindConsent(SweepingConsent consent, Action<string, object> add)
    {
        ArgumentNullException.ThrowIfNull(consent);
        ArgumentNullException.ThrowIfNull(add);
        add("id", consent.ConsentId);
        add("user", consent.UserId);
        add("bank", consent.Bank);
        add("payer", consent.PayerAddress);
        add("payee", consent.PayeeAddress);
        add("channel", consent.ChannelId);
        add("perPayment", consent.MaxPerPaymentPence);
        add("perPeriod", consent.MaxPerPeriodPence);
        add("type", (int)consent.PeriodType);
        add("alignment", (int)consent.PeriodAlignment);
        add("from", consent.ValidFrom.UtcTicks);
        add("to", consent.ValidTo is { } to ? to.UtcTicks : DBNull.Value);
    }

    /// <summary>The consent at the reader's row (columns <see cref="ConsentColumns"/>).</summary>
    public static SweepingConsent ReadConsent(DbDataReader reader) => new()
    {
        ConsentId = reader.GetString(0),
        UserId = reader.GetString(1),
        Bank = reader.GetString(2),
        PayerAddress = reader.GetString(3),
        PayeeAddress = reader.GetString(4),
        ChannelId = reader.GetString(5),
        MaxPerPaymentPence = reader.GetInt64(6),
        MaxPerPeriodPence = reader.GetInt64(7),
        PeriodType = (SweepPeriodType)reader.GetInt32(8),
        PeriodAlignment = (SweepPeriodAlignment)reader.GetInt32(9),
        ValidFrom = new DateTimeOffset(reader.GetInt64(10), TimeSpan.Zero),
        ValidTo = reader.IsDBNull(11) ? null : new DateTimeOffset(reader.GetInt64(11), TimeSpan.Zero),
    };
}
