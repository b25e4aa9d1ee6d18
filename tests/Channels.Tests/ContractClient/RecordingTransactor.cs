using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;

namespace Settlement.Channels.Tests.ContractClient;

/// <summary>
/// An <see cref="IContractTransactor"/> that records every (to, data, value) it is asked to send and answers with a
/// receipt (successful by default, with <see cref="Logs"/>) or throws <see cref="Failure"/>.
/// </summary>
internal sealed class RecordingTransactor(Address sender) : IContractTransactor
{
    public Address Sender { get; } = sender;

    public List<(Address? To, byte[] Data, BigInteger Value)> Sent { get; } = [];

    public IReadOnlyList<LogEntry> Logs { get; set; } = [];

    public bool Succeeds { get; set; } = true;

    public ulong BlockNumber { get; set; } = 100;

    public Address? CreatedContract { get; set; }

    public Exception? Failure { get; set; }

    public Task<TransactionReceipt> SendAsync(Address? to, ReadOnlyMemory<byte> data, BigInteger value, CancellationToken cancellationToken = default)
    {
        Sent.Add((to, data.ToArray(), value));
        if (Failure is { } failure)
        {
            throw failure;
        }

        return Task.FromResult(new TransactionReceipt
        {
            TransactionHash = new byte[32],
            BlockNumber = BlockNumber,
            BlockHash = new byte[32],
            From = Sender,
            To = to,
            ContractAddress = CreatedContract,
            Succeeded = Succeeds,
            GasUsed = 21_000,
            Logs = Logs,
        });
    }
}
