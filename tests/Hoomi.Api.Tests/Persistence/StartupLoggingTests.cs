using Hoomi.Api.Tests.Infrastructure;
using Hoomi.Api.Tests.Realtime;
using Microsoft.Extensions.Logging;

namespace Hoomi.Api.Tests.Persistence;

/// <summary>
/// The first start against a brand-new PostgreSQL database (migrations applied from nothing) logs nothing at
/// Error or above: EF Core's expected failed read of the not-yet-created migrations history used to show up as
/// "fail: Failed executing DbCommand", which reads like a broken installation.
/// </summary>
[TestFixture]
public sealed class StartupLoggingTests
{
    [Test]
    public async Task A_first_start_on_a_new_postgresql_database_logs_no_error()
    {
        var logs = new CapturingLoggerProvider();
        await using var server = RealtimeServer.Start(logs: logs);
        using var http = server.CreateHttpClient();
        var ready = await http.GetAsync("/health/ready");

        Assert.Multiple(() =>
        {
            Assert.That((int)ready.StatusCode, Is.EqualTo(200));
            Assert.That(logs.Lines.Where(l => l.Contains("Bringing the Postgres database up to date", StringComparison.Ordinal)), Is.Not.Empty,
                "the capture saw the migration, so an absent error is not an absent log");
            Assert.That(logs.AtLeast(LogLevel.Error), Is.Empty);
        });
    }
}
