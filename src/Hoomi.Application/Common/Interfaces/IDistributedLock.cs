namespace Hoomi.Application.Common.Interfaces;

/// <summary>A lock held across instances (PostgreSQL advisory lock), so that one instance at a time runs a job.</summary>
public interface IDistributedLock
{
    /// <summary>Takes the named lock if free; null when another holder has it. Dispose to release.</summary>
    Task<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken cancellationToken);
}
