namespace Settlement.OpenBanking.Transfers;

/// <summary>The result of <see cref="TransferService.CreateAsync"/>: the transfer now stored under the id, and how it got there.</summary>
/// <param name="Operation">The new transfer, or the existing one with that operation id.</param>
/// <param name="Outcome">Created, existing (same request) or conflict (another request; nothing changed).</param>
public sealed record TransferCreation(TransferOperation Operation, TransferCreationOutcome Outcome);
