using System.Collections.Concurrent;
using System.Data.Common;
using System.Net;
using Hoomi.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Hoomi.Api.Tests.Media;

/// <summary>
/// How many times the server talks to PostgreSQL for one small upload and one download (issue 13: the data path's
/// cost is mostly sequential round trips). Counted with an EF Core interceptor: every command EF Core sends and every
/// commit; Npgsql sends a transaction's BEGIN together with its first command, so a BEGIN is not a round trip of its
/// own. The budgets are upper bounds, not timings: a change that adds a round trip to the hot path fails here.
/// </summary>
public sealed class DatabaseRoundTripTests
{
    /// <summary>
    /// Records the command texts and commits, in order, while armed, each with the context lease that sent it: the
    /// background event dispatcher sends its batches from contexts of its own, which the request's count leaves out.
    /// </summary>
    private sealed class RoundTripCounter : DbCommandInterceptor, IDbTransactionInterceptor
    {
        private readonly ConcurrentQueue<(DbContextId? Context, string Sql)> _log = new();
        private volatile bool _armed;

        public void Arm()
        {
            _log.Clear();
            _armed = true;
        }

        /// <summary>What the request sent: without the commands of any context that marked events dispatched.</summary>
        public IReadOnlyList<string> Stop()
        {
            _armed = false;
            var log = _log.ToArray();
            var dispatcher = log.Where(e => IsDispatch(e.Sql) || e.Sql.Contains("SET dispatched_at", StringComparison.Ordinal)).Select(e => e.Context).ToHashSet();
            Dispatcher = [.. log.Where(e => dispatcher.Contains(e.Context)).Select(e => e.Sql)];
            return [.. log.Where(e => !dispatcher.Contains(e.Context)).Select(e => e.Sql)];
        }

        /// <summary>The background dispatcher's commands seen during the last armed window.</summary>
        public IReadOnlyList<string> Dispatcher { get; private set; } = [];

        private void Record(DbContext? context, string what)
        {
            if (_armed)
            {
                _log.Enqueue((context?.ContextId, what));
            }
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Record(eventData.Context, command.CommandText);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Record(eventData.Context, command.CommandText);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            Record(eventData.Context, command.CommandText);
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        {
            Record(eventData.Context, command.CommandText);
            return result;
        }

        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
        {
            Record(eventData.Context, command.CommandText);
            return result;
        }

        public ValueTask<InterceptionResult> TransactionCommittingAsync(
            DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
        {
            Record(eventData.Context, "COMMIT");
            return ValueTask.FromResult(result);
        }

        public InterceptionResult TransactionCommitting(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result)
        {
            Record(eventData.Context, "COMMIT");
            return result;
        }
    }

    private readonly RoundTripCounter _counter = new();
    private HoomiApiFactory _factory = null!;
    private MediaScene _scene = null!;

    [OneTimeSetUp]
    public async Task StartApi()
    {
        _factory = HoomiApiFactory.OnPostgres(testServices: services => services.AddSingleton<IInterceptor>(_counter));
        _scene = await MediaScene.CreateAsync(_factory);
        // Warm: the first upload and download of a process compile their queries.
        var warm = _scene.NewUpload();
        await _scene.UploadAsync(_scene.Alice, warm);
        _ = await _scene.Bob.Http.GetByteArrayAsync($"/media/{warm.MediaId}");
    }

    [OneTimeTearDown]
    public void StopApi() => _factory.Dispose();

    private static void Print(string what, IReadOnlyList<string> log)
    {
        TestContext.Out.WriteLine($"{what}: {log.Count} round trips");
        foreach (var (sql, i) in log.Select((s, i) => (s, i)))
        {
            TestContext.Out.WriteLine($"  {i + 1}. {sql.ReplaceLineEndings(" ")}");
        }
    }

    [Test]
    public async Task A_signed_upload_for_two_recipients_stays_within_its_round_trip_budget()
    {
        var upload = _scene.NewUpload();
        upload.Sender = _scene.AliceKey;

        await UntilDispatchedAsync();
        _counter.Arm();
        var response = await _scene.Alice.Http.PostAsync($"/hoomis/{_scene.HoomiId}/media", upload.ToContent());
        var log = _counter.Stop();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        Print("upload", log);
        // The budget: the revocation check every authenticated request makes (token's security stamp vs the
        // account's); membership, once, before the body is read (the pipeline's authorization behaviour; the upload
        // command reuses it); whether the id is taken; the recipient keys; the reservation; one transaction (lock +
        // commit reservation + last sequence, the insert batch, COMMIT). Marking the journal row dispatched is the
        // background dispatcher's, in batches, off the request path. The next cut: the token check with membership.
        Assert.That(log, Has.Count.LessThanOrEqualTo(7));
        Assert.That(log.Count(IsTokenCheck), Is.EqualTo(1));
        Assert.That(log.Count(sql => sql.Contains("memberships", StringComparison.Ordinal)), Is.EqualTo(2),
            "membership is read twice: the authorization check (once for the request) and the recipient keys");
        Assert.That(log.Any(sql => IsDispatch(sql) || sql.Contains("SET dispatched_at", StringComparison.Ordinal)), Is.False, "no dispatch on the request path");
    }

    [Test]
    public async Task A_download_takes_one_query_after_the_token_check()
    {
        var upload = _scene.NewUpload();
        await _scene.UploadAsync(_scene.Alice, upload);

        await UntilDispatchedAsync();
        _counter.Arm();
        var bytes = await _scene.Bob.Http.GetByteArrayAsync($"/media/{upload.MediaId}");
        var log = _counter.Stop();

        Assert.That(bytes, Is.EqualTo(upload.Ciphertext));
        Print("download", log);
        Assert.That(log, Has.Count.EqualTo(2));
        Assert.That(IsTokenCheck(log[0]), Is.True, "the first is the revocation check, the second the one media query");
    }

    /// <summary>Waits until the background dispatcher has sent and marked every event of the scene's hoomi, so that its batches do not straddle the count.</summary>
    private async Task UntilDispatchedAsync()
    {
        for (var i = 0; i < 200; i++)
        {
            await using var scope = _factory.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<Hoomi.Application.Common.Interfaces.IHoomiDbContext>();
            if (!await db.HoomiEvents.AnyAsync(e => e.HoomiId == _scene.HoomiId && e.DispatchedAt == null))
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail("the background dispatcher did not mark the scene's events dispatched");
    }

    private static bool IsDispatch(string sql) => sql.Contains("dispatched_at", StringComparison.Ordinal) && sql.Contains("FOR UPDATE", StringComparison.Ordinal);

    private static bool IsTokenCheck(string sql) => sql.Contains("security_stamp", StringComparison.Ordinal) && sql.Contains("\"AspNetUsers\"", StringComparison.Ordinal);
}
