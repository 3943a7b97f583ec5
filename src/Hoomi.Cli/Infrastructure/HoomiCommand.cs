using System.ComponentModel;
using System.Security.Cryptography;
using Hoomi.Client;
using Hoomi.Client.Api;
using Hoomi.Client.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hoomi.Cli;

public class GlobalSettings : CommandSettings
{
    [CommandOption("--server <URL>")]
    [Description("The Hoomi API (default: HOOMI_SERVER, else the server you logged in to).")]
    public string? Server { get; init; }

    [CommandOption("--home <DIR>")]
    [Description("Where the device key and tokens live (default: HOOMI_HOME, else ~/.config/hoomi).")]
    public string? Home { get; init; }

    [CommandOption("--allow-unsigned")]
    [Description("Also read unsigned hoomi-e2ee-1 items (nothing says who sent them: the server could have made them).")]
    public bool AllowUnsigned { get; init; }
}

public class JsonSettings : GlobalSettings
{
    [CommandOption("--json")]
    [Description("Print JSON instead of a table.")]
    public bool Json { get; init; }
}

/// <summary>
/// The frame of every command: resolves home and server, creates the client, and turns failures into one line on
/// stderr and a non-zero exit code (the server's problem details, or what the client found wrong).
/// </summary>
public abstract class HoomiCommand<TSettings>(CliEnvironment env) : AsyncCommand<TSettings>
    where TSettings : GlobalSettings
{
    protected CliEnvironment Env { get; } = env;

    public sealed override async Task<int> ExecuteAsync(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        try
        {
            var home = new HoomiHome(settings.Home ?? Env.Variables(HoomiHome.EnvironmentVariable) ?? HoomiHome.DefaultDirectory());
            using var client = new HoomiClient(ResolveServer(settings, home), home) { AllowUnsigned = settings.AllowUnsigned };
            return await RunAsync(client, settings, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HoomiApiException or HoomiClientException or HttpRequestException or CryptographicException
            or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or OperationCanceledException)
        {
            Env.ErrorOut.WriteLine("error: " + OneLine(e));
            return e is OperationCanceledException ? 130 : 1;
        }
    }

    protected abstract Task<int> RunAsync(HoomiClient client, TSettings settings, CancellationToken cancellationToken);

    private Uri ResolveServer(GlobalSettings settings, HoomiHome home)
    {
        var text = settings.Server ?? Env.Variables("HOOMI_SERVER");
        if (string.IsNullOrWhiteSpace(text))
        {
            return home.LoadSession()?.Server
                ?? throw new HoomiClientException("No server: pass --server URL or set HOOMI_SERVER.");
        }

        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new HoomiClientException($"Not an http(s) URL: {text}");
    }

    private static string OneLine(Exception e) => e switch
    {
        HoomiApiException or HoomiClientException => e.Message,
        OperationCanceledException => "cancelled",
        HttpRequestException h => "cannot reach the server: " + h.Message,
        _ => e.Message,
    };

    /// <summary>A hoomi named by id, or by its name among the caller's hoomis.</summary>
    protected static async Task<Guid> ResolveHoomiAsync(HoomiClient client, string hoomi, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (Guid.TryParse(hoomi, out var id))
        {
            return id;
        }

        var matches = (await client.ListHoomisAsync(cancellationToken).ConfigureAwait(false))
            .Where(h => string.Equals(h.Name, hoomi, StringComparison.OrdinalIgnoreCase)).ToList();
        return matches.Count switch
        {
            1 => matches[0].Id,
            0 => throw new HoomiClientException($"You have no hoomi named '{hoomi}'."),
            _ => throw new HoomiClientException($"Several of your hoomis are named '{hoomi}': use the id (hoomi hoomi list)."),
        };
    }

    protected static Guid ParseMediaId(string text) =>
        Guid.TryParse(text, out var id) ? id : throw new HoomiClientException($"Not a media id: {text}");
}
