using System.Collections.Concurrent;
using System.Data.Common;
using System.Net;
using Hoomi.Api.Tests.Infrastructure;
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
    /// <summary>Records the command texts and commits, in order, while armed.</summary>
    private sealed class RoundTripCounter : DbCommandInterceptor, IDbTransactionInterceptor
    {
        private readonly ConcurrentQueue<string> _log = new();
        private volatile bool _armed;

        public void Arm()
        {
            _log.Clear();
            _armed = true;
        }

        public IReadOnlyList<string> Stop()
        {
            _armed = false;
            return [.. _log];
        }

        private void Record(string what)
        {
            if (_armed)
            {
                _log.Enqueue(what);
            }
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Record(command.CommandText);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Record(command.CommandText);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            Record(command.CommandText);
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        {
            Record(command.CommandText);
            return result;
        }

        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
        {
            Record(command.CommandText);
            return result;
        }

        public ValueTask<InterceptionResult> TransactionCommittingAsync(
            DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
        {
            Record("COMMIT");
            return ValueTask.FromResult(result);
        }

        public InterceptionResult TransactionCommitting(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result)
        {
            Record("COMMIT");
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

        _counter.Arm();
        var response = await _scene.Alice.Http.PostAsync($"/hoomis/{_scene.HoomiId}/media", upload.ToContent());
        var log = _counter.Stop();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        Print("upload", log);
        // The budget, as of the merge of the outbox dispatcher and token revocation: the revocation check every
        // authenticated request makes (token's security stamp vs the account's); membership before the body is read
        // (endpoint) and membership + id taken (handler); the recipient keys; the reservation; one transaction
        // (lock + commit reservation + last sequence, the insert batch, COMMIT); then the outbox dispatch marks the
        // journal row sent (SELECT ... FOR UPDATE, UPDATE, COMMIT). The next cuts: the handler's membership check
        // repeats the endpoint's, and marking could ride in the upload's own transaction when delivery is immediate.
        Assert.That(log, Has.Count.LessThanOrEqualTo(11));
        Assert.That(log.Count(IsTokenCheck), Is.EqualTo(1));
    }

    [Test]
    public async Task A_download_takes_one_query_after_the_token_check()
    {
        var upload = _scene.NewUpload();
        await _scene.UploadAsync(_scene.Alice, upload);

        _counter.Arm();
        var bytes = await _scene.Bob.Http.GetByteArrayAsync($"/media/{upload.MediaId}");
        var log = _counter.Stop();

        Assert.That(bytes, Is.EqualTo(upload.Ciphertext));
        Print("download", log);
        Assert.That(log, Has.Count.EqualTo(2));
        Assert.That(IsTokenCheck(log[0]), Is.True, "the first is the revocation check, the second the one media query");
    }

    private static bool IsTokenCheck(string sql) => sql.Contains("security_stamp", StringComparison.Ordinal) && sql.Contains("\"AspNetUsers\"", StringComparison.Ordinal);
}
