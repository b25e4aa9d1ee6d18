namespace Settlement.BankSandbox.Validation;

/// <summary>One violation: kind, JSON path (e.g. <c>Data.Initiation.InstructedAmount.Amount</c>) and a message.</summary>
/// <param name="Kind">The kind of violation.</param>
/// <param name="Path">Dotted path of the offending field ("" for the root).</param>
/// <param name="Message">What is wrong.</param>
public sealed record SchemaValidationError(SchemaErrorKind Kind, string Path, string Message);
