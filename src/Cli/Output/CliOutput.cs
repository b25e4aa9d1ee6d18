using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using Settlement.Ethereum.Keystore;

namespace Settlement.Cli;

/// <summary>
/// The one output convention of every <c>l2pay</c> verb: on success exactly one JSON object on
/// stdout (one line, then a newline) and exit code 0; on failure a one-line message on stderr and
/// a non-zero exit code, nothing on stdout. Messages come from exception text, which in this code
/// base never carries secrets (keys, passwords).
/// </summary>
internal static class CliOutput
{
    /// <summary>Exit code of a verb that failed (bad input, wrong password, I/O, remote error).</summary>
    public const int Failure = 1;

    /// <summary>Exit code of a verb called wrongly (missing or contradictory options).</summary>
    public const int Usage = 2;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Addresses, hashes and messages stay readable; the output is not embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes one JSON object built by <paramref name="writeProperties"/> to stdout; returns 0.</summary>
    public static int WriteObject(Action<Utf8JsonWriter> writeProperties)
    {
        ArgumentNullException.ThrowIfNull(writeProperties);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writeProperties(writer);
            writer.WriteEndObject();
        }

        var stdout = Console.Out;
        stdout.Write(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        stdout.Write('\n');
        stdout.Flush();
        return 0;
    }

    /// <summary>Writes one JSON object of string properties, in the given order; returns 0.</summary>
    public static int WriteObject(params (string Name, string Value)[] properties) =>
        WriteObject(writer =>
        {
            foreach (var (name, value) in properties)
            {
                writer.WriteString(name, value);
            }
        });

    /// <summary>Writes <c>error: message</c> to stderr and returns <paramref name="exitCode"/>.</summary>
    public static int Fail(string message, int exitCode = Failure)
    {
        Console.Error.WriteLine($"error: {message}");
        return exitCode;
    }

    /// <summary>
    /// Runs a verb body and turns the expected failure kinds (bad input, wrong password, missing
    /// files, remote errors) into <see cref="Fail"/>; a bug still surfaces as an unhandled exception.
    /// </summary>
    public static int Run(Func<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            return body();
        }
        catch (Exception e) when (IsExpected(e))
        {
            return Fail(e.Message);
        }
    }

    /// <summary>Async form of <see cref="Run(Func{int})"/>.</summary>
    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (Exception e) when (IsExpected(e))
        {
            return Fail(e.Message);
        }
    }

    private static bool IsExpected(Exception e) =>
        e is FormatException or KeystoreException or IOException or UnauthorizedAccessException or CryptographicException
            or JsonException or ArgumentException or InvalidOperationException or HttpRequestException
            or TimeoutException or OperationCanceledException;
}
