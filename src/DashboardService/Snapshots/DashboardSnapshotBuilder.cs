using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Settlement.DashboardService.Upstreams;

namespace Settlement.DashboardService.Snapshots;

/// <summary>
/// Reads every configured upstream service's query endpoints once and puts the answers into one JSON snapshot for the
/// page. It reshapes and joins (channels with their velocity flags, receipts by payer) but decides nothing: states,
/// balances, integrity and breaks are the services' own answers. Everything passes through <see cref="Redaction"/>.
/// </summary>
internal sealed class DashboardSnapshotBuilder(DashboardUpstreams upstreams, UpstreamReader reader, TimeProvider time)
{
    /// <summary>Channels whose receipts and delegations are read per snapshot (the most recently paid first).</summary>
    public const int MaxDetailedChannels = 50;

    private static readonly UpstreamRead Configured = new(null, null);

    private readonly RateTracker _rates = new();
    private JsonObject? _lastPayee;
    private JsonObject? _lastSettlement;
    private JsonObject? _lastWatchtower;

    /// <summary>One snapshot of everything configured.</summary>
    public async Task<JsonObject> BuildAsync(CancellationToken cancellationToken)
    {
        var sources = new JsonObject();
        var snapshot = new JsonObject { ["sources"] = sources };
        var payee = upstreams.Payee;
        var settlement = upstreams.Settlement;
        var watchtower = upstreams.Watchtower;
        var payeeTask = payee is null ? Task.FromResult<JsonObject?>(null) : ReadPayeeAsync(payee, sources, cancellationToken);
        var settlementTask = settlement is null ? Task.FromResult<JsonObject?>(null) : ReadSettlementAsync(settlement, sources, cancellationToken);
        var payeePart = Remember(ref _lastPayee, await payeeTask.ConfigureAwait(false), payee, sources, "payee");
        var settlementPart = Remember(ref _lastSettlement, await settlementTask.ConfigureAwait(false), settlement, sources, "settlement");
        var channelIds = payeePart?["channels"] is JsonArray list
            ? list.Select(c => c?["channelId"]?.GetValue<string>()).OfType<string>().Take(MaxDetailedChannels).ToList()
            : [];
        var watchtowerPart = Remember(
            ref _lastWatchtower, watchtower is null ? null : await ReadWatchtowerAsync(watchtower, channelIds, sources, cancellationToken).ConfigureAwait(false), watchtower, sources, "watchtower");

        var at = time.GetUtcNow();
        snapshot["at"] = at.ToString("O", CultureInfo.InvariantCulture);
        var paid = new Dictionary<string, BigInteger>(StringComparer.Ordinal);
        var acceptedByChannel = new Dictionary<string, long>(StringComparer.Ordinal);
        if (payeePart?["channels"] is JsonArray channels)
        {
            foreach (var c in channels.OfType<JsonObject>())
            {
                if (c["channelId"]?.GetValue<string>() is { } id && BigInteger.TryParse(c["paid"]?.GetValue<string>(), NumberStyles.None, CultureInfo.InvariantCulture, out var p))
                {
                    paid[id] = p;
                    if (c["vouchersAccepted"] is JsonValue count && count.TryGetValue<long>(out var n))
                    {
                        acceptedByChannel[id] = n;
                    }
                }
            }
        }

        long? accepted = payeePart?["merchant"]?["vouchersAccepted"]?.GetValue<long>();
        var (vps, vpm) = _rates.Record(at, accepted, paid, acceptedByChannel);
        if (payeePart?["merchant"] is JsonObject merchant)
        {
            merchant["vouchersPerSecond"] = vps is { } v ? Math.Round(v, 2) : null;
            merchant["valuePerMinute"] = vpm?.ToString(CultureInfo.InvariantCulture);
        }

        if (payeePart?["channels"] is JsonArray withRates)
        {
            foreach (var c in withRates.OfType<JsonObject>())
            {
                var id = c["channelId"]?.GetValue<string>();
                c["valuePerMinute"] = id is null ? null : _rates.ChannelRate(id)?.ToString(CultureInfo.InvariantCulture);
                c["vouchersPerSecond"] = id is null ? null : _rates.ChannelVouchersPerSecond(id);
            }
        }

        snapshot["merchant"] = payeePart?["merchant"]?.DeepClone();
        snapshot["channels"] = payeePart?["channels"]?.DeepClone() ?? new JsonArray();
        snapshot["receipts"] = payeePart?["receipts"]?.DeepClone() ?? new JsonArray();
        snapshot["series"] = _rates.Series();
        snapshot["ledger"] = settlementPart?["ledger"]?.DeepClone();
        snapshot["flows"] = settlementPart?["flows"]?.DeepClone();
        snapshot["reconciliation"] = settlementPart?["reconciliation"]?.DeepClone();
        snapshot["watchtower"] = watchtowerPart;
        Redaction.Apply(snapshot);
        return snapshot;
    }

    private async Task<JsonObject?> ReadPayeeAsync(Uri service, JsonObject sources, CancellationToken cancellationToken)
    {
        var health = await reader.GetAsync(service, "health", cancellationToken).ConfigureAwait(false);
        var metrics = await reader.GetAsync(service, "metrics", cancellationToken).ConfigureAwait(false);
        var list = await reader.GetAsync(service, "v1/channels", cancellationToken).ConfigureAwait(false);
        var flags = await reader.GetAsync(service, "v1/flags", cancellationToken).ConfigureAwait(false);
        sources["payee"] = Source(service, health, metrics, list, flags);
        if (health.Json is null && list.Json is null)
        {
            return null;
        }

        var flagsByChannel = (flags.Json as JsonArray ?? [])
            .OfType<JsonObject>()
            .GroupBy(f => f["channelId"]?.GetValue<string>() ?? string.Empty, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var channels = new JsonArray();
        var receipts = new List<JsonObject>();
        var ordered = (list.Json as JsonArray ?? []).OfType<JsonObject>()
            .OrderByDescending(c => c["lastVoucherAt"]?.GetValue<DateTimeOffset>() ?? DateTimeOffset.MinValue)
            .ToList();
        foreach (var c in ordered)
        {
            var id = c["channelId"]?.GetValue<string>() ?? string.Empty;
            var row = new JsonObject
            {
                ["channelId"] = id,
                ["payer"] = c["payer"]?.DeepClone(),
                ["state"] = c["state"]?.DeepClone(),
                ["closeDeadline"] = c["closeDeadline"]?.DeepClone(),
                ["deposit"] = c["deposit"]?.DeepClone(),
                ["paid"] = c["paid"]?.DeepClone(),
                ["remaining"] = c["remaining"]?.DeepClone(),
                ["lastVoucherAt"] = c["lastVoucherAt"]?.DeepClone(),
                ["vouchersAccepted"] = c["vouchersAccepted"]?.DeepClone(),
                ["flags"] = new JsonArray((flagsByChannel.GetValueOrDefault(id) ?? []).Select(f => (JsonNode)new JsonObject
                {
                    ["rule"] = f["rule"]?.DeepClone(),
                    ["observed"] = f["observed"]?.DeepClone(),
                    ["limit"] = f["limit"]?.DeepClone(),
                    ["refused"] = f["refused"]?.DeepClone(),
                    ["raisedAt"] = f["raisedAt"]?.DeepClone(),
                }).ToArray()),
            };
            channels.Add(row);
            if (receipts.Count < MaxDetailedChannels && c["lastVoucherAt"] is not null
                && c["chainId"]?.GetValue<string>() is { } chain && c["contract"]?.GetValue<string>() is { } contract)
            {
                var receipt = await reader.GetAsync(service, $"v1/channels/{chain}/{contract}/{id}/receipt", cancellationToken).ConfigureAwait(false);
                if (receipt.Json is JsonObject r)
                {
                    // Only what the payer is shown; the signature (which proves it) stays with the payer's SDK.
                    receipts.Add(new JsonObject
                    {
                        ["payer"] = c["payer"]?.DeepClone(),
                        ["channelId"] = id,
                        ["cumulativeAmount"] = r["cumulativeAmount"]?.DeepClone(),
                        ["issuedAt"] = r["issuedAt"]?.DeepClone(),
                    });
                }
            }
        }

        var h = health.Json;
        var m = metrics.Json;
        return new JsonObject
        {
            ["merchant"] = new JsonObject
            {
                ["payee"] = h?["payee"]?.DeepClone(),
                ["chainId"] = h?["chainId"]?.DeepClone(),
                ["contract"] = h?["contract"]?.DeepClone(),
                ["streams"] = h?["streams"]?.DeepClone(),
                ["vouchersAccepted"] = m?["vouchers"]?["accepted"]?.DeepClone(),
                ["vouchersRejected"] = m?["vouchers"]?["rejected"]?.DeepClone(),
            },
            ["channels"] = channels,
            ["receipts"] = new JsonArray(receipts.OrderBy(r => r["payer"]?.GetValue<string>(), StringComparer.OrdinalIgnoreCase).Select(r => (JsonNode)r).ToArray()),
        };
    }

    private async Task<JsonObject?> ReadSettlementAsync(Uri service, JsonObject sources, CancellationToken cancellationToken)
    {
        var accounts = await reader.GetAsync(service, "ledger/accounts", cancellationToken).ConfigureAwait(false);
        var journal = await reader.GetAsync(service, "ledger/journal", cancellationToken).ConfigureAwait(false);
        var flows = await reader.GetAsync(service, "flows", cancellationToken).ConfigureAwait(false);
        var reconciliation = await reader.GetAsync(service, "reconciliation", cancellationToken).ConfigureAwait(false);
        // A settlement service without flows has no /flows or /reconciliation (404): not configured, not a fault.
        sources["settlement"] = Source(service, accounts, journal, flows.NotFound ? Configured : flows, reconciliation.NotFound ? Configured : reconciliation);
        if (accounts.Json is null && journal.Json is null && flows.Json is null && reconciliation.Json is null)
        {
            return null;
        }

        var flowRows = new JsonArray();
        foreach (var f in (flows.Json?["flows"] as JsonArray ?? []).OfType<JsonObject>()
                     .OrderByDescending(f => f["updatedAt"]?.GetValue<DateTimeOffset>() ?? DateTimeOffset.MinValue).Take(MaxDetailedChannels))
        {
            var row = (JsonObject)f.DeepClone();
            if (f["id"]?.GetValue<string>() is { } id && f["kind"]?.GetValue<string>() is { } kind && kind != "Topup")
            {
                // Payouts (and recharges, where the service runs them): amount, merchant, bank operation.
                var detail = await reader.GetAsync(service, "flows/" + id, cancellationToken).ConfigureAwait(false);
                foreach (var name in new[] { "merchant", "amountPence", "feePence", "bankOperationId", "burnTransaction", "userId" })
                {
                    if (detail.Json?[name] is { } value)
                    {
                        row[name] = value.DeepClone();
                    }
                }
            }

            flowRows.Add(row);
        }

        return new JsonObject
        {
            ["ledger"] = new JsonObject
            {
                ["accounts"] = accounts.Json?.DeepClone(),
                ["journal"] = journal.Json?.DeepClone(),
                ["error"] = accounts.Error ?? journal.Error,
            },
            ["flows"] = new JsonObject { ["items"] = flowRows, ["error"] = flows.NotFound ? "not run by this settlement service" : flows.Error },
            ["reconciliation"] = Reconciliation(reconciliation),
        };
    }

    private static JsonObject Reconciliation(UpstreamRead read)
    {
        var breaks = new JsonArray();
        var pairings = new JsonArray();
        if (read.Json is JsonObject report)
        {
            foreach (var pairing in (report["pairings"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var name = pairing["name"]?.GetValue<string>();
                pairings.Add(new JsonObject
                {
                    ["name"] = name,
                    ["asset"] = pairing["asset"]?.DeepClone(),
                    ["matches"] = pairing["totals"]?["matches"]?.DeepClone(),
                    ["breaks"] = pairing["totals"]?["breaks"]?.DeepClone(),
                });
                foreach (var b in (pairing["breaks"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    breaks.Add(Break(name, b));
                }
            }

            foreach (var b in (report["unassigned"] as JsonArray ?? []).OfType<JsonObject>())
            {
                breaks.Add(Break(null, b));
            }
        }

        return new JsonObject
        {
            ["available"] = read.Json is not null,
            ["error"] = read.NotFound ? "not run by this settlement service" : read.Error,
            ["pairings"] = pairings,
            ["breaks"] = breaks,
        };
    }

    private static JsonObject Break(string? pairing, JsonObject b) => new()
    {
        ["pairing"] = pairing,
        ["reason"] = b["reason"]?.DeepClone(),
        ["detail"] = b["detail"]?.DeepClone(),
        ["difference"] = b["difference"]?.DeepClone(),
        ["records"] = new JsonArray((b["records"] as JsonArray ?? []).OfType<JsonObject>().Select(r => (JsonNode)new JsonObject
        {
            ["source"] = r["source"]?.DeepClone(),
            ["id"] = r["id"]?.DeepClone(),
            ["reference"] = r["reference"]?.DeepClone(),
            ["asset"] = r["asset"]?.DeepClone(),
            ["amount"] = r["amount"]?.DeepClone(),
            ["kind"] = r["kind"]?.DeepClone(),
            ["counterparty"] = r["counterparty"]?.DeepClone(),
        }).ToArray()),
    };

    private async Task<JsonObject?> ReadWatchtowerAsync(Uri service, IReadOnlyList<string> channelIds, JsonObject sources, CancellationToken cancellationToken)
    {
        var health = await reader.GetAsync(service, "health", cancellationToken).ConfigureAwait(false);
        var alerts = await reader.GetAsync(service, "alerts", cancellationToken).ConfigureAwait(false);
        sources["watchtower"] = Source(service, health, alerts);
        if (health.Json is null && alerts.Json is null)
        {
            return null;
        }

        var disputes = new JsonArray();
        var ids = channelIds.Concat((alerts.Json as JsonArray ?? []).OfType<JsonObject>().Select(a => a["channelId"]?.GetValue<string>()).OfType<string>())
            .Distinct(StringComparer.Ordinal).Take(MaxDetailedChannels);
        if (health.Json is not null)
        {
            foreach (var id in ids)
            {
                var delegation = await reader.GetAsync(service, "delegations/" + id, cancellationToken).ConfigureAwait(false);
                if (delegation.Json is not JsonObject d)
                {
                    continue;
                }

                disputes.Add(new JsonObject
                {
                    ["channelId"] = id,
                    ["payer"] = d["delegation"]?["payer"]?.DeepClone(),
                    ["cumulativeAmount"] = d["delegation"]?["cumulativeAmount"]?.DeepClone(),
                    ["closeDeadline"] = d["delegation"]?["closeDeadline"]?.DeepClone(),
                    ["finished"] = d["delegation"]?["finished"]?.DeepClone(),
                    ["redeem"] = d["redeem"]?.DeepClone(),
                    ["settle"] = d["settle"]?.DeepClone(),
                });
            }
        }

        return new JsonObject
        {
            ["guarded"] = health.Json?["guarded"]?.DeepClone(),
            ["closing"] = health.Json?["closing"]?.DeepClone(),
            ["alerts"] = alerts.Json?.DeepClone() ?? new JsonArray(),
            ["disputes"] = disputes,
        };
    }

    // A service that stopped answering (the demo's payee after its step, a restart) keeps showing its last answer, marked
    // stale in its source badge, instead of blanking its part of the page.
    private static JsonObject? Remember(ref JsonObject? last, JsonObject? read, Uri? service, JsonObject sources, string name)
    {
        if (service is null)
        {
            last = null;
            return null;
        }

        if (read is not null)
        {
            last = read;
            return read;
        }

        if (last is not null && sources[name] is JsonObject source)
        {
            source["stale"] = true;
        }

        return (JsonObject?)last?.DeepClone();
    }

    private static JsonObject Source(Uri service, params UpstreamRead[] reads)
    {
        var error = reads.Select(r => r.Error).FirstOrDefault(e => e is not null);
        return new JsonObject
        {
            ["url"] = service.GetLeftPart(UriPartial.Authority),
            ["ok"] = error is null,
            ["error"] = error,
        };
    }
}
