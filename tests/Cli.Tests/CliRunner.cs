using System.CommandLine;

namespace Settlement.Cli.Tests;

/// <summary>
/// Runs verbs in-process with stdout and stderr captured. Console redirection is process-wide, so
/// every CLI test class joins the non-parallel "Console" collection.
/// </summary>
internal static class CliRunner
{
    private static readonly Lock Gate = new();

    public static (int ExitCode, string Stdout, string Stderr) Run(Command verbGroup, params string[] args)
    {
        lock (Gate)
        {
            var originalOut = Console.Out;
            var originalError = Console.Error;
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            Console.SetOut(stdout);
            Console.SetError(stderr);
            try
            {
                var root = new RootCommand("test") { verbGroup };
                var exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
                return (exitCode, stdout.ToString(), stderr.ToString());
            }
            finally
            {
                Console.SetOut(originalOut);
                Console.SetError(originalError);
            }
        }
    }
}

[CollectionDefinition("Console", DisableParallelization = true)]
public sealed class ConsoleCollection;
