using Hoomi.Domain.Common;
using Hoomi.Domain.Hoomis;

namespace Hoomi.Domain.Tests.Hoomis;

public sealed class HoomiGroupQuotaTests
{
    private static HoomiGroup NewHoomi() =>
        HoomiGroup.Create(Guid.NewGuid(), "Family", Guid.NewGuid(), new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    [Test]
    public void A_new_hoomi_uses_the_service_default_quota_and_stores_nothing() =>
        Assert.Multiple(() =>
        {
            var hoomi = NewHoomi();
            Assert.That(hoomi.StorageQuotaBytes, Is.Null);
            Assert.That(hoomi.UsedBytes, Is.Zero);
            Assert.That(hoomi.ReservedBytes, Is.Zero);
        });

    [TestCase(0L)]
    [TestCase(1L)]
    [TestCase(5L * 1024 * 1024 * 1024 * 1024)]
    [TestCase(long.MaxValue)]
    public void An_own_quota_of_zero_or_more_bytes_is_kept(long bytes)
    {
        var hoomi = NewHoomi();
        hoomi.SetStorageQuota(bytes);
        Assert.That(hoomi.StorageQuotaBytes, Is.EqualTo(bytes));
    }

    [TestCase(-1L)]
    [TestCase(long.MinValue)]
    public void A_negative_quota_is_refused_and_the_previous_one_kept(long bytes)
    {
        var hoomi = NewHoomi();
        hoomi.SetStorageQuota(1000);

        var error = Assert.Throws<DomainException>(() => hoomi.SetStorageQuota(bytes))!;
        Assert.Multiple(() =>
        {
            Assert.That(error.Kind, Is.EqualTo(DomainErrorKind.Invalid));
            Assert.That(error.Code, Is.EqualTo("invalid-quota"));
            Assert.That(hoomi.StorageQuotaBytes, Is.EqualTo(1000));
        });
    }

    [Test]
    public void Null_restores_the_service_default()
    {
        var hoomi = NewHoomi();
        hoomi.SetStorageQuota(1000);
        hoomi.SetStorageQuota(null);
        Assert.That(hoomi.StorageQuotaBytes, Is.Null);
    }
}
