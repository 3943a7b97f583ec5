using Spectre.Console;

namespace Hoomi.Cli;

/// <summary>
/// Where a command reads and writes. Data (ids, JSON, tables) goes to <see cref="Out"/>/<see cref="Console"/> on
/// stdout, so scripts can capture it; progress, prompts and errors go to <see cref="Error"/> on stderr. Tests pass
/// their own writers and variables to run commands in-process.
/// </summary>
public sealed class CliEnvironment
{
    public required IAnsiConsole Console { get; init; }

    public required IAnsiConsole Error { get; init; }

    /// <summary>Raw stdout for machine-readable output that must not be wrapped or styled.</summary>
    public required TextWriter Out { get; init; }

    /// <summary>Raw stderr for one-line messages (Spectre would wrap them at the console width).</summary>
    public required TextWriter ErrorOut { get; init; }

    public required TextReader In { get; init; }

    public required Func<string, string?> Variables { get; init; }

    /// <summary>The stream <c>download -o -</c> writes to.</summary>
    public required Func<Stream> OpenStandardOutput { get; init; }

    public static CliEnvironment FromConsole() => new()
    {
        Console = Wide(AnsiConsole.Console, System.Console.IsOutputRedirected),
        Error = Wide(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(System.Console.Error) }), System.Console.IsErrorRedirected),
        Out = System.Console.Out,
        ErrorOut = System.Console.Error,
        In = System.Console.In,
        Variables = Environment.GetEnvironmentVariable,
        OpenStandardOutput = System.Console.OpenStandardOutput,
    };

    /// <summary>A non-interactive environment over in-memory writers (for tests and embedding).</summary>
    public static CliEnvironment ForWriters(TextWriter stdout, TextWriter stderr, TextReader? stdin = null, IDictionary<string, string?>? variables = null)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        var vars = variables ?? new Dictionary<string, string?>();
        return new CliEnvironment
        {
            Console = Plain(stdout),
            Error = Plain(stderr),
            Out = stdout,
            ErrorOut = stderr,
            In = stdin ?? TextReader.Null,
            Variables = name => vars.TryGetValue(name, out var v) ? v : null,
            OpenStandardOutput = () => throw new NotSupportedException("No standard output stream here."),
        };
    }

    private static IAnsiConsole Plain(TextWriter writer) => Wide(AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(writer),
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Interactive = InteractionSupport.No,
    }), redirected: true);

    // Redirected output has no width; Spectre would assume 80 columns and break ids across lines in tables.
    private static IAnsiConsole Wide(IAnsiConsole console, bool redirected)
    {
        if (redirected)
        {
            console.Profile.Width = 200;
        }

        return console;
    }
}
