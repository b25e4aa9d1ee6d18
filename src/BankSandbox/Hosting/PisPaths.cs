namespace Settlement.BankSandbox.Hosting;

internal static class PisPaths
{
    public static PisVersion? VersionOf(string path) =>
        path.StartsWith("/open-banking/v4.0/pisp", StringComparison.Ordinal) ? PisVersion.V4
        : path.StartsWith("/open-banking/v3.1/pisp", StringComparison.Ordinal) ? PisVersion.V3
        : null;
}
