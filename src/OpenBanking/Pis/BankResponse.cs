using System.Net;

namespace Settlement.OpenBanking.Pis;

/// <summary>A successful (verified) bank answer before parsing.</summary>
internal sealed record BankResponse(HttpStatusCode Status, byte[] Body, string InteractionId);
