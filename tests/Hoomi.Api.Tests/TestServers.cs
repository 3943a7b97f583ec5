using Hoomi.Testing;

namespace Hoomi.Api.Tests;

/// <summary>The throwaway PostgreSQL cluster for the whole assembly (root namespace, so it covers every test): see <see cref="PostgresSetUpFixture"/>.</summary>
[SetUpFixture]
public sealed class TestServers : PostgresSetUpFixture;
