using Microsoft.Extensions.Logging;
using Settlement.Channels.Contracts;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Payer;

/// <summary>Settings of a <see cref="PayerClient"/>.</summary>
public sealed class PayerClientOptions
{
    /// <summary>The clock (reconnect back-off, retries, metering, receipt times). Tests pass a fake one.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Sends the payer's own transactions (open, top-up, close, settle). Null: the client can still pay in channels a
    /// funder opened, but on-chain calls need a transactor passed to them.
    /// </summary>
    public IContractTransactor? Transactor { get; set; }

    /// <summary>
    /// Who signs the payee's receipts, when it is not the channel's payee address (a payee service with a separate
    /// receipt key). Null: the channel's payee.
    /// </summary>
    public Address? ReceiptSigner { get; set; }

    /// <summary>The first wait before reconnecting to a payee after a failed attempt; doubled up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait between reconnect attempts.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one connection attempt may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long to wait before resending a voucher the payee answered <c>Unavailable</c> or <c>VelocityLimit</c>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Blocks that must follow the block the channel's deposits are read at (<c>head − confirmations</c>, like the payee's
    /// <see cref="ConfirmedChannelReader"/>): a deposit or top-up counts towards <see cref="PayerChannel.Remaining"/> and
    /// the meter's pause only once it is that deep, so a reorg cannot leave the payer signing against a deposit the chain
    /// dropped. 0: the newest block.
    /// </summary>
    public int DepositConfirmations { get; set; }

    /// <summary>
    /// How often <see cref="PayerChannel.WaitForDepositAsync"/> reads the chain while a deposit or top-up is not yet
    /// <see cref="DepositConfirmations"/> deep. Positive.
    /// </summary>
    public TimeSpan DepositPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Logs (reconnects, store faults). Null: none.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
