namespace Settlement.Channels.Payer.Closing;

/// <summary>The payee's answer to a close-agreement request: <see cref="PayeeAgreedClose"/> or <see cref="PayeeRefusedClose"/>.</summary>
public abstract record PayeeCloseAnswer;
