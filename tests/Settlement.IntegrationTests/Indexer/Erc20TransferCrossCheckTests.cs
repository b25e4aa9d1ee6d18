using System.Numerics;
using Settlement.Ethereum.Abi;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Rpc;
using Settlement.Service.Indexer.Mapping;
using Settlement.Testing;

namespace Settlement.Service.IntegrationTests.Indexer;

/// <summary>
/// The token <c>Transfer</c> logs the indexer books, on a real Anvil: a mint, a transfer, a burn, a burn by a spender
/// and a deposit into the channel contract, each with its own amount, read back raw with <c>eth_getLogs</c> and decoded
/// by <see cref="Erc20Transfer.TryDecode(LogEntry, out Erc20Transfer?, out LogDecodeRefusal)"/> and, independently, by
/// ethers.js from the token's compiled ABI. Every field is equal in both and to the balance and supply changes the
/// chain reports; the token's other events (<c>Approval</c>) are refused as <see cref="LogDecodeRefusal.UnknownEvent"/>.
/// </summary>
public sealed class Erc20TransferCrossCheckTests(AnvilNode node) : IClassFixture<AnvilNode>
{
    [Fact]
    public async Task TransferLogs_DecodedFieldsEqualEthersAndChain()
    {
        using var chain = await AnvilChain.CreateAsync(node);
        var token = chain.Token;
        var (platform, payer, other) = (chain.PlatformKey.Address, chain.PayerKey.Address, chain.OtherKey.Address);
        var from = await chain.Rpc.GetBlockNumberAsync() + 1;
        var expected = new List<(string Tx, Address From, Address To, BigInteger Value)>();

        async Task StepAsync(Func<Task<TransactionReceipt>> send, Address sender, Address recipient, BigInteger value)
        {
            var holders = new[] { sender, recipient }.Where(a => a != Address.Zero).Distinct().ToArray();
            var before = await Task.WhenAll(holders.Select(h => token.BalanceOfAsync(h)));
            var supply = await token.TotalSupplyAsync();
            var receipt = await send();
            receipt.Succeeded.ShouldBeTrue();
            var after = await Task.WhenAll(holders.Select(h => token.BalanceOfAsync(h)));
            for (var i = 0; i < holders.Length; i++)
            {
                (after[i] - before[i]).ShouldBe(holders[i] == sender ? -value : value);
            }

            var supplyChange = sender == Address.Zero ? value : recipient == Address.Zero ? -value : BigInteger.Zero;
            (await token.TotalSupplyAsync() - supply).ShouldBe(supplyChange);
            expected.Add((Hex.Encode(receipt.TransactionHash), sender, recipient, value));
        }

        await StepAsync(() => token.MintAsync(chain.Platform, payer, 1_000_003), Address.Zero, payer, 1_000_003);
        await StepAsync(() => token.TransferAsync(chain.Payer, other, 4_321), payer, other, 4_321);
        await StepAsync(() => token.BurnAsync(chain.Other, 1_234), other, Address.Zero, 1_234);
        await token.ApproveAsync(chain.Payer, platform, 800);
        await StepAsync(() => token.BurnFromAsync(chain.Platform, payer, 777), payer, Address.Zero, 777);
        await token.ApproveAsync(chain.Payer, chain.Channels.Address, 55_555);
        var opened = await chain.Channels.OpenAsync(chain.Payer, payer, chain.PayeeKey.Address, token.Address, AnvilChain.Period, 55_555);
        var openTx = Hex.Encode(opened.TransactionHash!.ToArray());
        (await token.BalanceOfAsync(chain.Channels.Address)).ShouldBe(new BigInteger(55_555));
        expected.Add((openTx, payer, chain.Channels.Address, 55_555));

        var raw = (await node.RequestAsync("eth_getLogs", new Dictionary<string, object>
        {
            ["fromBlock"] = Quantity.Format(from),
            ["toBlock"] = "latest",
            ["address"] = token.Address.ToLowerHex(),
        })).EnumerateArray().ToArray();
        var ethers = await EthersLogDecoder.DecodeAsync(raw, EthersLogDecoder.TestStablecoinArtifact);
        var ours = await chain.Rpc.GetLogsAsync(new LogFilter { FromBlock = BlockParameter.FromNumber(from), ToBlock = BlockParameter.Latest, Addresses = [token.Address] });
        ours.Count.ShouldBe(raw.Length);

        var transfers = new List<(string Tx, Address From, Address To, BigInteger Value)>();
        for (var i = 0; i < raw.Length; i++)
        {
            var decoded = ethers[i].ShouldNotBeNull($"ethers knows log {i}");
            var ok = Erc20Transfer.TryDecode(ours[i], out var transfer, out var refusal);
            if (decoded.Name != "Transfer")
            {
                decoded.Name.ShouldBe("Approval");
                ok.ShouldBeFalse();
                refusal.ShouldBe(LogDecodeRefusal.UnknownEvent);
                continue;
            }

            ok.ShouldBeTrue($"log {i}");
            refusal.ShouldBe(LogDecodeRefusal.None);
            decoded.Signature.ShouldBe("Transfer(address,address,uint256)");
            var fields = new Dictionary<string, string>
            {
                ["from"] = transfer!.From.ToLowerHex(),
                ["to"] = transfer.To.ToLowerHex(),
                ["value"] = transfer.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            fields.OrderBy(p => p.Key, StringComparer.Ordinal).ToArray().ShouldBe(decoded.Args.OrderBy(p => p.Key, StringComparer.Ordinal).ToArray(), $"log {i}");
            transfers.Add((raw[i].GetProperty("transactionHash").GetString()!, transfer.From, transfer.To, transfer.Value));
        }

        transfers.ShouldBe(expected);
    }
}
