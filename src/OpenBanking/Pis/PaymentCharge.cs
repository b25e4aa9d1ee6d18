namespace Settlement.OpenBanking.Pis;

/// <summary>A charge the bank reports for a payment (<c>Data.Charges[]</c>).</summary>
/// <param name="Bearer">Who bears it (<c>BorneByDebtor</c>, <c>BorneByCreditor</c>, <c>FollowingServiceLevel</c>, <c>Shared</c>).</param>
/// <param name="Type">The charge type, e.g. <c>UK.OBIE.CHAPSOut</c>.</param>
/// <param name="Amount">The amount.</param>
public sealed record PaymentCharge(string Bearer, string Type, Money Amount);
