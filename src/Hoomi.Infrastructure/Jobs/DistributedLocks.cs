using System.Security.Cryptography;
using System.Text;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Infrastructure.Persistence;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hoomi.Infrastructure.Jobs;

/// <summary>
/// PostgreSQL session-level advisory locks: the lock lives as long as its dedicated connection, so a crashed
/// instance releases it by dying. With SQLite (the embedded default, one instance) every lock is granted.
/// </summary>
internal sealed class DatabaseDistributedLock(IOptions<DatabaseOptions> options) : IDistributedLock
{
    public async Task<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken cancellationToken)
    {
        if (options.Value.Provider != DatabaseProvider.Postgres)
        {
            return new Released();
        }

        var key = BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("hoomi:" + name)), 0);
        var connection = new NpgsqlConnection(options.Value.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var cmd = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
            cmd.Parameters.AddWithValue("key", key);
            if ((bool)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                return new Held(connection, key);
            }
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        await connection.DisposeAsync().ConfigureAwait(false);
        return null;
    }

    private sealed class Held(NpgsqlConnection connection, long key) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var cmd = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
                cmd.Parameters.AddWithValue("key", key);
                await cmd.ExecuteScalarAsync().ConfigureAwait(false);
            }
            finally
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private sealed class Released : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
