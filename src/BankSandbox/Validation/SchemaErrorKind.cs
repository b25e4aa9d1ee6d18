namespace Settlement.BankSandbox.Validation;

/// <summary>What kind of schema violation (maps to UK.OBIE.Field.Missing / Invalid / Unexpected).</summary>
public enum SchemaErrorKind
{
    /// <summary>A required property is absent.</summary>
    Missing,

    /// <summary>A value has the wrong type, format, pattern, length or enum value.</summary>
    Invalid,

    /// <summary>A property the schema does not allow.</summary>
    Unexpected,
}
