namespace Settlement.OpenBanking.Transfers;

/// <summary>
/// The points between a transfer's external calls and its saves where a crash leaves a distinct
/// situation to resume from (each one is a row of the crash test in tests/Cli.Tests). Reported to an
/// optional <see cref="ITransferCheckpointObserver"/>; nothing else depends on them.
/// </summary>
public enum TransferCheckpoint
{
    /// <summary><c>Created</c> saved; the consent POST is next.</summary>
    Created,

    /// <summary>The bank created the consent; not saved yet.</summary>
    ConsentCreatedAtBank,

    /// <summary><c>AwaitingAuthorisation</c> with the consent id saved; authorisation is next.</summary>
    ConsentSaved,

    /// <summary>The bank authorised the consent and redirected with a code; the code is not saved yet.</summary>
    AuthorisedAtBank,

    /// <summary>The authorisation code saved; the token exchange is next.</summary>
    CodeSaved,

    /// <summary>The bank issued the consent-scoped token; not saved yet.</summary>
    TokenIssued,

    /// <summary><c>SubmittingPayment</c> with the token saved; the payment POST is next.</summary>
    TokenSaved,

    /// <summary>The bank created the payment; its id is not saved yet.</summary>
    PaymentCreatedAtBank,

    /// <summary><c>PaymentSubmitted</c> (or a final state) with the payment id saved.</summary>
    PaymentSaved,
}
