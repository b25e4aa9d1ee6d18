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

    /// <summary>401/403 carry no body, as the spec's 401Error/403Error responses.</summary>
    public static ObProblemException Status401() => new(401);

    public static ObProblemException Status403() => new(403);
}
