using Hoomi.Testing;

namespace Hoomi.Infrastructure.Tests.Storage;

/// <summary>The storage emulators of the storage tests: see <see cref="StorageEmulatorSetUpFixture"/>.</summary>
[SetUpFixture]
public sealed class SharedEmulators : StorageEmulatorSetUpFixture;
