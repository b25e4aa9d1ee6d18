namespace Settlement.OpenBanking.Pis;

/// <summary>An OBIE account reference (e.g. scheme <c>UK.OBIE.SortCodeAccountNumber</c>).</summary>
public sealed record AccountIdentification(string SchemeName, string Identification, string Name);
