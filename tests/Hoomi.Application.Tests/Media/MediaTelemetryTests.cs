using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Media;
using Hoomi.Domain.Common;

namespace Hoomi.Application.Tests.Media;

public sealed class MediaTelemetryTests
{
    public static IEnumerable<TestCaseData> Outcomes()
    {
        yield return new TestCaseData(ValidationException.For("size", "bad"), "refused");
        yield return new TestCaseData(new ConflictException("media-id-in-use", "x"), "refused");
        yield return new TestCaseData(new UnprocessableContentException("hash-mismatch", "x"), "refused");
        yield return new TestCaseData(new NotFoundException("Hoomi"), "refused");
        yield return new TestCaseData(new ForbiddenException("x"), "refused");
        yield return new TestCaseData(DomainException.Invalid("invalid-enc", "x"), "refused");
        yield return new TestCaseData(DomainException.Conflict("key-already-wrapped", "x"), "refused");
        yield return new TestCaseData(new UploadInterruptedException("gone"), "interrupted");
        yield return new TestCaseData(new OperationCanceledException(), "interrupted");
        yield return new TestCaseData(new TaskCanceledException(), "interrupted");
        yield return new TestCaseData(new StorageUnavailableException("down"), "failed");
        yield return new TestCaseData(new BlobAlreadyExistsException("k"), "failed");
        yield return new TestCaseData(new InvalidOperationException(), "failed");
        yield return new TestCaseData(new IOException(), "failed");
    }

    [TestCaseSource(nameof(Outcomes))]
    public void A_failed_upload_is_tagged_refused_interrupted_or_failed(Exception exception, string outcome) =>
        Assert.That(MediaTelemetry.OutcomeOf(exception), Is.EqualTo(outcome));

    // A full quota is the hoomi's state, not a fault of the service: counting it as "failed" would page
    // whoever alerts on failed uploads every time a family fills its storage.
    [Test]
    public void An_upload_over_the_quota_is_tagged_refused_not_failed() =>
        Assert.That(MediaTelemetry.OutcomeOf(new QuotaExceededException(10, 10, 1)), Is.EqualTo("refused"));
}
