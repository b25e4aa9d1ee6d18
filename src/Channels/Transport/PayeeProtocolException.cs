using Settlement.Channels.Payee;

namespace Settlement.Channels.Transport;

/// <summary>The payee answered with an ERROR frame or broke the protocol (an unexpected or undecodable frame).</summary>
public sealed class PayeeProtocolException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PayeeProtocolException(string message, VoucherRejectCode? code = null)
        : base(message) => Code = code;

    /// <summary>Creates the exception.</summary>
    public PayeeProtocolException()
        : this("The payee broke the protocol.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public PayeeProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The ERROR frame's code, if the payee sent one.</summary>
    public VoucherRejectCode? Code { get; }
}
