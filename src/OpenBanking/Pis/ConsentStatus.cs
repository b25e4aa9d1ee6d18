namespace Settlement.OpenBanking.Pis;

/// <summary>A consent status: the bank's code as sent, and what it means.</summary>
public readonly record struct ConsentStatus(string Code, ConsentStatusKind Kind)
{
    /// <summary>Maps a v3.1.11 or v4.0 code; unknown codes are kept with <see cref="ConsentStatusKind.Unknown"/>.</summary>
    public static ConsentStatus FromCode(string code) => new(code, code switch
    {
        "AwaitingAuthorisation" or "AWAU" => ConsentStatusKind.AwaitingAuthorisation,
        "Authorised" or "AUTH" => ConsentStatusKind.Authorised,
        "Consumed" or "COND" => ConsentStatusKind.Consumed,
        "Rejected" or "RJCT" => ConsentStatusKind.Rejected,
        _ => ConsentStatusKind.Unknown,
    });

    /// <inheritdoc />
    public override string ToString() => Code;
}
