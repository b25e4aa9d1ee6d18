namespace Settlement.BankSandbox.Errors;

/// <summary>One entry of an OBErrorResponse1.</summary>
internal sealed record ObError(ObErrorCode Code, string Message, string? Path = null);

/// <summary>A PIS request that ends in an OBIE error response (thrown inside handlers, written in one place).</summary>
internal sealed class ObProblemException : Exception
{
    public ObProblemException(int status, params ObError[] errors)
        : base(errors.Length > 0 ? errors[0].Message : "error")
    {
        Status = status;
        Errors = errors;
    }

    public ObProblemException()
        : this(500)
    {
    }

    public ObProblemException(string message)
        : this(500, new ObError(ObErrorCode.UnexpectedError, message))
    {
    }

    public ObProblemException(string message, Exception inner)
        : base(message, inner)
    {
        Status = 500;
        Errors = [new ObError(ObErrorCode.UnexpectedError, message)];
    }

    public int Status { get; }

    public IReadOnlyList<ObError> Errors { get; }

    public static ObProblemException BadRequest(ObErrorCode code, string message, string? path = null) =>
        new(400, new ObError(code, message, path));

    /// <summary>401: no usable access token. Carries an OBIE error body like every other PIS error.</summary>
    public static ObProblemException Status401(string message = "a valid Bearer access token is required") =>
        new(401, new ObError(ObErrorCode.HeaderInvalid, message, "Authorization"));

    /// <summary>403: the token is not allowed this call (403Error: OBErrorResponse1, signed).</summary>
    public static ObProblemException Status403(string message = "the access token does not permit this request") =>
        new(403, new ObError(ObErrorCode.HeaderInvalid, message, "Authorization"));
}
