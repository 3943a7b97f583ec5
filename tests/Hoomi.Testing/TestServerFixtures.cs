using NUnit.Framework;

namespace Hoomi.Testing;

/// <summary>
/// Starts the throwaway PostgreSQL cluster once for a whole test assembly and stops it at the end. A test project
/// derives one <c>[SetUpFixture]</c> from it in its root namespace (NUnit finds set-up fixtures only in the test assembly).
/// </summary>
public abstract class PostgresSetUpFixture
{
    private static PostgresServer? _postgres;

    public static PostgresServer Postgres => _postgres ?? throw new InvalidOperationException("PostgreSQL was not started.");

    [OneTimeSetUp]
    public void StartPostgres() => _postgres = PostgresServer.Start();

    [OneTimeTearDown]
    public void StopPostgres() => _postgres?.Dispose();
}

/// <summary>
/// One storage emulator of each kind per test run, each started on first use only (a run that needs neither pays
/// nothing) and stopped by PID at the end. A test project derives one <c>[SetUpFixture]</c> from it.
/// </summary>
public abstract class StorageEmulatorSetUpFixture
{
    private static readonly Lazy<GcsEmulator> LazyGcs = new(GcsEmulator.Start, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<S3Emulator> LazyS3 = new(S3Emulator.Start, LazyThreadSafetyMode.ExecutionAndPublication);

    public static GcsEmulator Gcs => LazyGcs.Value;

    public static S3Emulator S3 => LazyS3.Value;

    [OneTimeTearDown]
    public void StopEmulators()
    {
        if (LazyGcs.IsValueCreated)
        {
            LazyGcs.Value.Dispose();
        }

        if (LazyS3.IsValueCreated)
        {
            LazyS3.Value.Dispose();
        }
    }
}
