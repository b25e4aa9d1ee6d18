using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.IntegrationTests.Support;
using Settlement.Channels.Vouchers;
using Settlement.Testing;

namespace Settlement.Channels.IntegrationTests.Contracts;

/// <summary>
/// A seeded random walk over every channel operation on a real Anvil. After each step the contract's token
/// balance must equal the escrow the channels account for (Σ deposits − Σ redeemed over live channels), and
/// every closed channel must have paid out exactly its deposits (SYSTEM.md: escrow and channel-close invariants).
/// </summary>
public sealed class EscrowInvariantTests(AnvilNode node) : IClassFixture<AnvilNode>
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task RandomOperations_EveryStep_EscrowEqualsContractBalance(int seed)
    {
        using var w = await ChannelWorld.CreateAsync(node);
        var random = new Random(seed);
        var live = new List<ChannelParameters>();
        var deposited = new Dictionary<ChannelId, BigInteger>();
        var paidOut = new Dictionary<ChannelId, BigInteger>();
        var executed = new int[8];
        await w.Token.ApproveAsync(w.Payer, w.Channels.Address, ChannelWorld.StartingTokens);
        await w.Token.ApproveAsync(w.Payee, w.Channels.Address, ChannelWorld.StartingTokens);
        await w.Token.ApproveAsync(w.Platform, w.Channels.Address, ChannelWorld.StartingTokens);

        for (var step = 0; step < 80; step++)
        {
            var op = live.Count == 0 ? 0 : random.Next(8);
            var c = live.Count == 0 ? null : live[random.Next(live.Count)];
            var state = c is null ? null : await w.Channels.GetStateAsync(c.Id);
            var open = state is { IsClosing: false };
            BigInteger amount = random.Next(1, 500_000);
            switch (op)
            {
                case 0:
                    var funder = random.Next(2) == 0 ? w.Payer : w.Platform;
                    var opened = await w.Channels.OpenAsync(funder, w.PayerKey.Address, w.PayeeKey.Address, w.Token.Address, ChannelWorld.Period, amount);
                    live.Add(opened.Channel);
                    deposited[opened.ChannelId] = amount;
                    paidOut[opened.ChannelId] = 0;
                    executed[op]++;
                    break;
                case 1 when open:
                    await w.Channels.TopUpAsync(w.Platform, c!, amount);
                    deposited[c!.Id] += amount;
                    executed[op]++;
                    break;
                case 2 when open:
                    await w.Channels.TopUpPayeeAsync(w.Payee, c!, amount);
                    deposited[c!.Id] += amount;
                    executed[op]++;
                    break;
                case 3 when state!.PayerDeposit > state.RedeemedByPayee:
                    var up = state.RedeemedByPayee + 1 + (amount % (state.PayerDeposit - state.RedeemedByPayee));
                    await w.Channels.RedeemAsync(w.Payee, c!, w.Channels.SignVoucher(w.PayerKey, c!.Id, up));
                    paidOut[c!.Id] += up - state.RedeemedByPayee;
                    executed[op]++;
                    break;
                case 4 when state!.PayeeDeposit > state.RedeemedByPayer:
                    var down = state.RedeemedByPayer + 1 + (amount % (state.PayeeDeposit - state.RedeemedByPayer));
                    await w.Channels.RedeemAsync(w.Payer, c!, w.Channels.SignVoucher(w.PayeeKey, c!.Id, down));
                    paidOut[c!.Id] += down - state.RedeemedByPayer;
                    executed[op]++;
                    break;
                case 5 when open:
                    await w.Channels.StartCloseAsync(random.Next(2) == 0 ? w.Payer : w.Payee, c!);
                    executed[op]++;
                    break;
                case 6 when state!.IsClosing:
                    await w.PassChallengePeriodAsync();
                    var settled = w.Channels.DecodeEvents((await w.Channels.SettleAsync(w.Other, c!)).Logs)
                        .OfType<Settlement.Channels.Contracts.Events.ChannelSettledEvent>().Single();
                    paidOut[c!.Id] += settled.ToPayer + settled.ToPayee;
                    live.Remove(c);
                    executed[op]++;
                    break;
                case 7:
                    var final = new CooperativeCloseState(c!.Id, state!.RedeemedByPayee + (amount % (state.PayerDeposit - state.RedeemedByPayee + 1)), state.RedeemedByPayer, await w.CloseDeadlineAsync());
                    var closed = w.Channels.DecodeEvents((await w.Channels.CooperativeCloseAsync(w.Payee, c, final, final.Sign(w.PayerKey, w.Channels.Domain), null)).Logs)
                        .OfType<Settlement.Channels.Contracts.Events.ChannelSettledEvent>().Single();
                    paidOut[c.Id] += closed.ToPayer + closed.ToPayee;
                    live.Remove(c);
                    executed[op]++;
                    break;
            }

            BigInteger escrow = 0;
            foreach (var channel in live)
            {
                var s = await w.Channels.GetStateAsync(channel.Id);
                escrow += s.PayerDeposit - s.RedeemedByPayee + s.PayeeDeposit - s.RedeemedByPayer;
                (s.PayerDeposit + s.PayeeDeposit).ShouldBe(deposited[channel.Id]);
            }

            (await w.Token.BalanceOfAsync(w.Channels.Address)).ShouldBe(escrow, $"step {step}, operation {op}");
        }

        executed.ShouldAllBe(n => n > 0, $"every operation ran at least once: {string.Join(",", executed)}");
        foreach (var id in deposited.Keys.Where(id => live.TrueForAll(c => c.Id != id)))
        {
            paidOut[id].ShouldBe(deposited[id], $"closed channel {id} paid out its deposits");
        }
    }
}
