using Hoomi.Domain.Common;
using Hoomi.Domain.Media;

namespace Hoomi.Domain.Tests.Media;

public sealed class MediaItemTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly string Sha = new('a', 64);
    private readonly Guid _uploader = Guid.NewGuid();
    private readonly Guid _hoomi = Guid.NewGuid();

    private MediaItem NewItem(long size = 1000, string? sha = null)
    {
        var id = Guid.CreateVersion7();
        return MediaItem.Create(
            new MediaContent(id, _hoomi, MediaItem.ContentKeyFor(_hoomi, id), size, sha ?? Sha, "image/jpeg", 640, 480, null, null),
            _uploader,
            Now);
    }

    private static byte[] Enc() => [0x04, .. new byte[64]];

    [Test]
    public void A_new_item_keeps_what_was_declared_and_is_not_deleted()
    {
        var item = NewItem();
        Assert.Multiple(() =>
        {
            Assert.That(item.HoomiId, Is.EqualTo(_hoomi));
            Assert.That(item.UploaderId, Is.EqualTo(_uploader));
            Assert.That(item.StorageKey, Is.EqualTo($"media/{_hoomi:D}/{item.Id:D}"));
            Assert.That(item.Size, Is.EqualTo(1000));
            Assert.That(item.Scheme, Is.EqualTo(MediaItem.SchemeV1));
            Assert.That(item.IsDeleted, Is.False);
            Assert.That(item.HasThumbnail, Is.False);
        });
    }

    [TestCase("")]
    [TestCase("ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")]
    [TestCase("abc")]
    [TestCase("gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg")]
    public void A_sha256_that_is_not_64_lowercase_hex_characters_is_refused(string sha)
    {
        var error = Assert.Throws<DomainException>(() => NewItem(sha: sha))!;
        Assert.That(error.Code, Is.EqualTo("invalid-sha256"));
    }

    [Test]
    public void A_negative_size_is_refused()
    {
        Assert.That(Assert.Throws<DomainException>(() => NewItem(size: -1))!.Code, Is.EqualTo("invalid-size"));
    }

    [Test]
    public void The_uploader_deletes_and_the_item_records_who_and_when()
    {
        var item = NewItem();
        item.Delete(_uploader, byIsOwner: false, Now.AddHours(1));

        Assert.Multiple(() =>
        {
            Assert.That(item.IsDeleted, Is.True);
            Assert.That(item.DeletedAt, Is.EqualTo(Now.AddHours(1)));
            Assert.That(item.DeletedBy, Is.EqualTo(_uploader));
        });
    }

    [Test]
    public void An_owner_who_did_not_upload_may_delete()
    {
        var item = NewItem();
        var owner = Guid.NewGuid();
        item.Delete(owner, byIsOwner: true, Now);
        Assert.That(item.DeletedBy, Is.EqualTo(owner));
    }

    [Test]
    public void A_member_who_is_neither_uploader_nor_owner_cannot_delete()
    {
        var item = NewItem();
        var error = Assert.Throws<DomainException>(() => item.Delete(Guid.NewGuid(), byIsOwner: false, Now))!;
        Assert.Multiple(() =>
        {
            Assert.That(error.Kind, Is.EqualTo(DomainErrorKind.Forbidden));
            Assert.That(item.IsDeleted, Is.False);
        });
    }

    [Test]
    public void Deleting_twice_keeps_the_first_deletion()
    {
        var item = NewItem();
        item.Delete(_uploader, byIsOwner: false, Now);
        item.Delete(_uploader, byIsOwner: false, Now.AddDays(1));

        Assert.That(item.DeletedAt, Is.EqualTo(Now));
    }

    [Test]
    public void A_wrapped_key_is_added_per_recipient_device()
    {
        var item = NewItem();
        var recipient = Guid.NewGuid();
        var key = item.AddWrappedKey(recipient, "key-1", Enc(), new byte[48], Now);
        item.AddWrappedKey(recipient, "key-2", Enc(), new byte[48], Now);

        Assert.Multiple(() =>
        {
            Assert.That(key.MediaId, Is.EqualTo(item.Id));
            Assert.That(key.RecipientUserId, Is.EqualTo(recipient));
            Assert.That(key.RecipientKeyId, Is.EqualTo("key-1"));
            Assert.That(item.WrappedKeys, Has.Count.EqualTo(2));
        });
    }

    [Test]
    public void A_second_wrapped_key_for_the_same_device_key_is_a_conflict()
    {
        var item = NewItem();
        item.AddWrappedKey(Guid.NewGuid(), "key-1", Enc(), new byte[48], Now);

        var error = Assert.Throws<DomainException>(() => item.AddWrappedKey(Guid.NewGuid(), "key-1", Enc(), new byte[48], Now))!;
        Assert.Multiple(() =>
        {
            Assert.That(error.Kind, Is.EqualTo(DomainErrorKind.Conflict));
            Assert.That(error.Code, Is.EqualTo("key-already-wrapped"));
            Assert.That(item.WrappedKeys, Has.Count.EqualTo(1));
        });
    }

    [TestCase(64)]
    [TestCase(66)]
    [TestCase(0)]
    public void An_enc_that_is_not_65_bytes_is_refused(int length)
    {
        var item = NewItem();
        var enc = new byte[length];
        if (length > 0)
        {
            enc[0] = 0x04;
        }

        var error = Assert.Throws<DomainException>(() => item.AddWrappedKey(Guid.NewGuid(), "k", enc, new byte[48], Now))!;
        Assert.That(error.Code, Is.EqualTo("invalid-enc"));
    }

    [Test]
    public void An_enc_that_is_not_an_uncompressed_point_is_refused()
    {
        var item = NewItem();
        byte[] enc = [0x02, .. new byte[64]];
        Assert.That(Assert.Throws<DomainException>(() => item.AddWrappedKey(Guid.NewGuid(), "k", enc, new byte[48], Now))!.Code,
            Is.EqualTo("invalid-enc"));
    }

    [TestCase(47)]
    [TestCase(49)]
    [TestCase(32)]
    public void A_wrapped_key_that_is_not_48_bytes_is_refused(int length)
    {
        var item = NewItem();
        var error = Assert.Throws<DomainException>(() => item.AddWrappedKey(Guid.NewGuid(), "k", Enc(), new byte[length], Now))!;
        Assert.Multiple(() =>
        {
            Assert.That(error.Code, Is.EqualTo("invalid-wrapped-key"));
            Assert.That(item.WrappedKeys, Is.Empty);
        });
    }
}
