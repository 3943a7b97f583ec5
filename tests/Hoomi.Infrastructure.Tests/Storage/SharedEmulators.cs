using Hoomi.Testing;

namespace Hoomi.Infrastructure.Tests.Storage;

/// <summary>One emulator of each kind per test run, started on first use and stopped by PID at the end.</summary>
[SetUpFixture]
public sealed class SharedEmulators
{
    private static readonly Lazy<GcsEmulator> LazyGcs = new(GcsEmulator.Start, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<S3Emulator> LazyS3 = new(S3Emulator.Start, LazyThreadSafetyMode.ExecutionAndPublication);

    public static GcsEmulator Gcs => LazyGcs.Value;

    public static S3Emulator S3 => LazyS3.Value;

    [OneTimeTearDown]
    public void StopAll()
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
