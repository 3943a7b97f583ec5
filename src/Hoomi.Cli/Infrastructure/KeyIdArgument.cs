using System.Text.RegularExpressions;

namespace Hoomi.Cli;

/// <summary>
/// Key ids are base64url, so one in 64 starts with '-', which the command-line parser takes for an option (and '--'
/// does not help). An argument that has exactly a key id's shape and starts with '-' is passed through under a prefix
/// no option has, and the commands that take a key id remove it.
/// </summary>
internal static partial class KeyIdArgument
{
    private const string Prefix = "keyid:";

    [GeneratedRegex("^-[A-Za-z0-9_-]{42}$")]
    private static partial Regex DashKeyId();

    public static string Protect(string argument) => DashKeyId().IsMatch(argument) ? Prefix + argument : argument;

    public static string? Unprotect(string? argument) =>
        argument is not null && argument.StartsWith(Prefix, StringComparison.Ordinal) ? argument[Prefix.Length..] : argument;
}
