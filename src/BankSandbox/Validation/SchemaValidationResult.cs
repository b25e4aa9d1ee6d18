namespace Settlement.BankSandbox.Validation;

/// <summary>The outcome of validating one body against the OpenAPI schema.</summary>
public sealed class SchemaValidationResult
{
    internal SchemaValidationResult(string? schemaName, IReadOnlyList<SchemaValidationError> errors)
    {
        SchemaName = schemaName;
        Errors = errors;
    }

    /// <summary>The components schema the body was validated against (null when the spec defines no body).</summary>
    public string? SchemaName { get; }

    /// <summary>The violations; empty when valid.</summary>
    public IReadOnlyList<SchemaValidationError> Errors { get; }

    /// <summary>True when there are no violations.</summary>
    public bool IsValid => Errors.Count == 0;

    /// <inheritdoc/>
    public override string ToString() =>
        IsValid ? $"valid ({SchemaName})" : $"{SchemaName}: " + string.Join("; ", Errors.Select(e => $"{e.Kind} {e.Path}: {e.Message}"));
}
