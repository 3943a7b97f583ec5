using System.Globalization;
using System.Text.Json;
using Hoomi.Application.Media.Commands.PurgeExpiredMedia;
using Hoomi.Application.Media.Commands.SweepOrphans;
using Hoomi.Application.Media.Commands.VerifyStorage;
using Hoomi.Application.Quotas.Commands.SetHoomiQuota;
using Hoomi.Infrastructure.Persistence;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Hoomi.Api.Admin;

/// <summary>
/// Operator commands run with the service's own configuration instead of serving HTTP:
/// <c>dotnet run --project src/Hoomi.Api -- admin COMMAND</c>. They print JSON and exit 0 (<c>verify</c> without <c>--fix</c>: 1 when it found drift), or a message and exit 2.
/// </summary>
public static class AdminCommands
{
    public const string Usage = """
        usage: admin migrate
               admin sweep-orphans [--dry-run]
               admin purge-expired
               admin set-quota HOOMI_ID BYTES|default
               admin verify [--fix]
        """;

    public static bool IsAdmin(string[] args) => args.Length > 0 && args[0] == "admin";

    public static async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HoomiDbContext>();
        await db.Database.MigrateAsync().ConfigureAwait(false);
        var sender = scope.ServiceProvider.GetRequiredService<ISender>();
        object? result = args.Skip(1).FirstOrDefault() switch
        {
            "migrate" => "migrated",
            "sweep-orphans" => await sender.Send(new SweepOrphansCommand(DryRun: args.Contains("--dry-run"))).ConfigureAwait(false),
            "verify" => await sender.Send(new VerifyStorageCommand(Fix: args.Contains("--fix"))).ConfigureAwait(false),
            "purge-expired" => await sender.Send(new PurgeExpiredMediaCommand()).ConfigureAwait(false),
            "set-quota" when args.Length == 4 && Guid.TryParse(args[2], out var hoomi) && TryQuota(args[3], out var bytes) =>
                await sender.Send(new SetHoomiQuotaCommand(hoomi, bytes)).ConfigureAwait(false),
            _ => null,
        };
        if (result is null)
        {
            await Console.Error.WriteLineAsync(Usage).ConfigureAwait(false);
            return 2;
        }

        Console.WriteLine(JsonSerializer.Serialize(result, JsonSerializerOptions.Web));
        // verify without --fix exits 1 when it found drift, so that a cron job or a health script can alert on it.
        return result is VerifyReport { Clean: false, Fixed: false } ? 1 : 0;
    }

    private static bool TryQuota(string text, out long? bytes)
    {
        bytes = null;
        if (text == "default")
        {
            return true;
        }

        var ok = long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value);
        bytes = value;
        return ok;
    }
}
