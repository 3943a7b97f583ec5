using Hoomi.Testing;

namespace Hoomi.EndToEnd.Tests;

/// <summary>Starts the throwaway PostgreSQL cluster once for the whole assembly and stops it at the end.</summary>
[SetUpFixture]
public sealed class TestServers
{
    private static PostgresServer? _postgres;

    public static PostgresServer Postgres => _postgres ?? throw new InvalidOperationException("PostgreSQL was not started.");

    [OneTimeSetUp]
    public void Start() => _postgres = PostgresServer.Start();

    [OneTimeTearDown]
    public void Stop() => _postgres?.Dispose();
}
