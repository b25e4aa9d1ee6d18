namespace Settlement.OpenBanking.Pis;

/// <summary>A reason the bank gives for a status (v4.0 <c>Data.StatusReason[]</c>, OBExternalStatusReason1Code).</summary>
/// <param name="Code">e.g. <c>AM04</c> (insufficient funds); may be empty when only a description came.</param>
/// <param name="Description">The bank's text, if any.</param>
public sealed record StatusReason(string Code, string? Description);
