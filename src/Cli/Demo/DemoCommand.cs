using System.CommandLine;

namespace Settlement.Cli;

/// <summary>`l2pay demo`: the end-to-end run on embedded defaults.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var command = new Command("demo", "Run the end-to-end demo on embedded defaults");
        command.SetAction(_ =>
        {
            Console.Out.WriteLine("l2pay demo: the end-to-end flow (bank top-up, channel streaming, settlement, payout) is not built yet.");
            Console.Out.WriteLine("Available now: 'l2pay --help' lists the verbs that exist.");
            return 0;
        });
        return command;
    }
}
