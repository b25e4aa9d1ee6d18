using System.Text;
using Settlement.Ethereum.Keystore;

namespace Settlement.Cli;

/// <summary>
/// Where the CLI gets a keystore password: the <c>L2PAY_KEYSTORE_PASSWORD</c> environment variable,
/// otherwise an interactive prompt without echo when stdin is a terminal. The prompt goes to
/// stderr so stdout keeps exactly one JSON object.
/// </summary>
internal static class KeystorePassword
{
    /// <summary>Password to open an existing keystore.</summary>
    public static string ForReading() => FromEnvironment() ?? Prompt("Keystore password: ", confirm: false);

    /// <summary>Password for a new keystore (asked twice when prompting).</summary>
    public static string ForWriting() => FromEnvironment() ?? Prompt("New keystore password: ", confirm: true);

    private static string? FromEnvironment() => Environment.GetEnvironmentVariable(KeyFile.PasswordEnvironmentVariable);

    private static string Prompt(string label, bool confirm)
    {
        if (Console.IsInputRedirected)
        {
            throw new InvalidOperationException(
                $"A keystore password is needed: set {KeyFile.PasswordEnvironmentVariable} or run in a terminal to be asked.");
        }

        var password = ReadHidden(label);
        if (confirm && ReadHidden("Repeat password: ") != password)
        {
            throw new InvalidOperationException("The two passwords differ.");
        }

        return password;
    }

    private static string ReadHidden(string label)
    {
        Console.Error.Write(label);
        var text = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (text.Length > 0)
                {
                    text.Length--;
                }

                continue;
            }

            if (!char.IsControl(key.KeyChar))
            {
                text.Append(key.KeyChar);
            }
        }

        Console.Error.WriteLine();
        return text.ToString();
    }
}
