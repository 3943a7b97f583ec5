using Hoomi.Domain.Common;
using Hoomi.Domain.Media;

namespace Hoomi.Domain.Tests.Media;

/// <summary>Thumbnails, restore within the retention window, forwarding, storage accounting and blob keys.</summary>
public sealed class MediaItemLifecycleTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromDays(30);
    private static readonly string Sha = new('a', 64);
    private static readonly string ThumbSha = new('b', 64);
    private readonly Guid _uploader = Guid.NewGuid();
    private readonly Guid _hoomi = Guid.NewGuid();

    private MediaItem NewItem(long size = 1000, byte[]? encryptedMetadata = null)
    {
        var id = Guid.CreateVersion7();
        return MediaItem.Create(
            new MediaContent(id, _hoomi, MediaItem.ContentKeyFor(_hoomi, id), size, Sha, "video/mp4", 1920, 1080, 12_000, encryptedMetadata),
            _uploader,
            Now);
    }

    private MediaItem DeletedItem()
    {
        var item = NewItem();
        item.Delete(_uploader, byIsOwner: false, Now);
        return item;
    }

    private static DomainException Refused(DomainErrorKind kind, string code, TestDelegate action)
    {
        var error = Assert.Throws<DomainException>(action)!;
        Assert.Multiple(() =>
        {
            Assert.That(error.Kind, Is.EqualTo(kind));
            Assert.That(error.Code, Is.EqualTo(code));
        });
        return error;
    }

    [Test]
    public void Create_keeps_every_declared_field_and_the_creation_time()
    {
        var id = Guid.CreateVersion7();
        byte[] metadata = [1, 2, 3];
        var item = MediaItem.Create(
            new MediaContent(id, _hoomi, "some-key", 0, Sha, "image/png", 10, 20, 30, metadata), _uploader, Now);

        Assert.Multiple(() =>
        {
            Assert.That(item.Id, Is.EqualTo(id));
            Assert.That(item.StorageKey, Is.EqualTo("some-key"));
            Assert.That(item.Size, Is.Zero, "a size of 0 is not negative");
            Assert.That(item.Sha256, Is.EqualTo(Sha));
            Assert.That(item.MimeType, Is.EqualTo("image/png"));
            Assert.That((item.Width, item.Height, item.DurationMs), Is.EqualTo(((int?)10, (int?)20, (long?)30)));
            Assert.That(item.EncryptedMetadata, Is.EqualTo(metadata));
            Assert.That(item.CreatedAt, Is.EqualTo(Now));
            Assert.That(item.DeletedAt, Is.Null);
            Assert.That(item.DeletedBy, Is.Null);
            Assert.That(item.WrappedKeys, Is.Empty);
        });
    }

    [Test]
    public void Create_refuses_a_null_content() =>
        Assert.Throws<ArgumentNullException>(() => MediaItem.Create(null!, _uploader, Now));

    [TestCase(null)]
    [TestCase("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [TestCase("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [TestCase("Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [TestCase(" aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void Create_refuses_a_sha256_of_the_wrong_length_or_alphabet(string? sha)
    {
        var id = Guid.CreateVersion7();
        Refused(DomainErrorKind.Invalid, "invalid-sha256",
            () => MediaItem.Create(new MediaContent(id, _hoomi, "k", 1, sha!, "image/png", null, null, null, null), _uploader, Now));
    }

    [TestCase(-1L)]
    [TestCase(long.MinValue)]
    public void Create_refuses_a_negative_size(long size) =>
        Refused(DomainErrorKind.Invalid, "invalid-size", () => NewItem(size: size));

    [Test]
    public void The_content_key_is_media_slash_hoomi_slash_media_in_canonical_form()
    {
        var hoomi = Guid.Parse("0193f2a4-0000-7000-8000-00000000000a");
        var media = Guid.Parse("0193F2A4-1111-7000-8000-0000000000BB");
        Assert.Multiple(() =>
        {
            Assert.That(MediaItem.ContentKeyFor(hoomi, media), Is.EqualTo("media/0193f2a4-0000-7000-8000-00000000000a/0193f2a4-1111-7000-8000-0000000000bb"));
            Assert.That(MediaItem.ThumbnailKeyFor(hoomi, media), Is.EqualTo("media/0193f2a4-0000-7000-8000-00000000000a/0193f2a4-1111-7000-8000-0000000000bb.thumb"));
        });
    }

    [Test]
    public void Content_and_thumbnail_keys_never_collide_across_items()
    {
        var hoomi = Guid.NewGuid();
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        string[] keys = [MediaItem.ContentKeyFor(hoomi, a), MediaItem.ThumbnailKeyFor(hoomi, a), MediaItem.ContentKeyFor(hoomi, b), MediaItem.ThumbnailKeyFor(hoomi, b)];
        Assert.That(keys, Is.Unique);
    }

    [Test]
    public void Attaching_a_thumbnail_records_its_key_size_and_hash()
    {
        var item = NewItem();
        var key = MediaItem.ThumbnailKeyFor(_hoomi, item.Id);
        item.AttachThumbnail(key, 500, ThumbSha);

        Assert.Multiple(() =>
        {
            Assert.That(item.HasThumbnail, Is.True);
            Assert.That(item.ThumbnailStorageKey, Is.EqualTo(key));
            Assert.That(item.ThumbnailSize, Is.EqualTo(500));
            Assert.That(item.ThumbnailSha256, Is.EqualTo(ThumbSha));
        });
    }

    [TestCase("")]
    [TestCase("BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB")]
    [TestCase("bbbb")]
    public void A_thumbnail_with_a_bad_sha256_is_refused_and_not_attached(string sha)
    {
        var item = NewItem();
        Refused(DomainErrorKind.Invalid, "invalid-sha256", () => item.AttachThumbnail("k", 500, sha));
        Assert.Multiple(() =>
        {
            Assert.That(item.HasThumbnail, Is.False);
            Assert.That(item.ThumbnailSize, Is.Null);
        });
    }

    [Test]
    public void Stored_bytes_count_the_content_and_the_thumbnail()
    {
        var item = NewItem(size: 10_000);
        Assert.That(item.StoredBytes, Is.EqualTo(10_000));

        item.AttachThumbnail("k", 1_234, ThumbSha);
        Assert.That(item.StoredBytes, Is.EqualTo(11_234));
    }

    [Test]
    public void Stored_bytes_of_sizes_beyond_int_range_do_not_overflow()
    {
        var item = NewItem(size: 3L * 1024 * 1024 * 1024);
        item.AttachThumbnail("k", 256 * 1024, ThumbSha);
        Assert.That(item.StoredBytes, Is.EqualTo((3L * 1024 * 1024 * 1024) + (256 * 1024)));
    }

    [Test]
    public void An_enc_with_a_compressed_point_prefix_is_refused_even_at_65_bytes()
    {
        var item = NewItem();
        byte[] enc = [0x03, .. new byte[64]];
        Refused(DomainErrorKind.Invalid, "invalid-enc", () => item.AddWrappedKey(Guid.NewGuid(), "k", enc, new byte[48], Now));
        Assert.That(item.WrappedKeys, Is.Empty);
    }

    [Test]
    public void A_null_enc_or_wrapped_key_is_refused()
    {
        var item = NewItem();
        byte[] enc = [0x04, .. new byte[64]];
        Refused(DomainErrorKind.Invalid, "invalid-enc", () => item.AddWrappedKey(Guid.NewGuid(), "k", null!, new byte[48], Now));
        Refused(DomainErrorKind.Invalid, "invalid-wrapped-key", () => item.AddWrappedKey(Guid.NewGuid(), "k", enc, null!, Now));
        Assert.That(item.WrappedKeys, Is.Empty);
    }

    [Test]
    public void A_wrapped_key_keeps_its_bytes_and_creation_time()
    {
        var item = NewItem();
        byte[] enc = [0x04, .. Enumerable.Range(1, 64).Select(i => (byte)i)];
        var sealedKey = Enumerable.Range(100, 48).Select(i => (byte)i).ToArray();
        var key = item.AddWrappedKey(_uploader, "k", enc, sealedKey, Now.AddSeconds(5));
        Assert.Multiple(() =>
        {
            Assert.That(key.Enc, Is.EqualTo(enc));
            Assert.That(key.Key, Is.EqualTo(sealedKey));
            Assert.That(key.CreatedAt, Is.EqualTo(Now.AddSeconds(5)));
        });
    }

    [Test]
    public void Key_ids_differing_only_in_case_are_different_device_keys()
    {
        var item = NewItem();
        byte[] enc = [0x04, .. new byte[64]];
        item.AddWrappedKey(Guid.NewGuid(), "abc", enc, new byte[48], Now);
        item.AddWrappedKey(Guid.NewGuid(), "ABC", enc, new byte[48], Now);
        Assert.That(item.WrappedKeys, Has.Count.EqualTo(2));
    }

    [Test]
    public void A_later_delete_by_an_owner_keeps_the_first_deletion_and_its_author()
    {
        var item = DeletedItem();
        item.Delete(Guid.NewGuid(), byIsOwner: true, Now.AddDays(2));
        Assert.Multiple(() =>
        {
            Assert.That(item.DeletedAt, Is.EqualTo(Now));
            Assert.That(item.DeletedBy, Is.EqualTo(_uploader));
        });
    }

    [Test]
    public void A_member_who_is_neither_uploader_nor_owner_cannot_delete_an_already_deleted_item_either() =>
        Refused(DomainErrorKind.Forbidden, "delete-not-allowed", () => DeletedItem().Delete(Guid.NewGuid(), byIsOwner: false, Now));

    [Test]
    public void The_uploader_restores_within_the_window_and_the_deletion_is_cleared()
    {
        var item = DeletedItem();
        item.Restore(_uploader, byIsOwner: false, Now.AddDays(29), Window);
        Assert.Multiple(() =>
        {
            Assert.That(item.IsDeleted, Is.False);
            Assert.That(item.DeletedAt, Is.Null);
            Assert.That(item.DeletedBy, Is.Null);
        });
    }

    [Test]
    public void An_owner_who_did_not_upload_may_restore()
    {
        var item = DeletedItem();
        item.Restore(Guid.NewGuid(), byIsOwner: true, Now.AddHours(1), Window);
        Assert.That(item.IsDeleted, Is.False);
    }

    [Test]
    public void A_member_who_is_neither_uploader_nor_owner_cannot_restore()
    {
        var item = DeletedItem();
        Refused(DomainErrorKind.Forbidden, "restore-not-allowed", () => item.Restore(Guid.NewGuid(), byIsOwner: false, Now, Window));
        Assert.That(item.DeletedAt, Is.EqualTo(Now));
    }

    [Test]
    public void Restoring_exactly_at_the_end_of_the_window_is_allowed()
    {
        var item = DeletedItem();
        item.Restore(_uploader, byIsOwner: false, Now + Window, Window);
        Assert.That(item.IsDeleted, Is.False);
    }

    [Test]
    public void Restoring_after_the_window_is_a_conflict_and_the_item_stays_deleted()
    {
        var item = DeletedItem();
        Refused(DomainErrorKind.Conflict, "retention-expired", () => item.Restore(_uploader, byIsOwner: true, Now + Window + TimeSpan.FromTicks(1), Window));
        Assert.Multiple(() =>
        {
            Assert.That(item.DeletedAt, Is.EqualTo(Now));
            Assert.That(item.DeletedBy, Is.EqualTo(_uploader));
        });
    }

    [Test]
    public void Restoring_an_item_that_is_not_deleted_changes_nothing()
    {
        var item = NewItem();
        item.Restore(_uploader, byIsOwner: false, Now.AddYears(5), Window);
        Assert.That(item.IsDeleted, Is.False);
    }

    [Test]
    public void Restoring_an_item_that_is_not_deleted_still_requires_the_right()
    {
        var item = NewItem();
        Refused(DomainErrorKind.Forbidden, "restore-not-allowed", () => item.Restore(Guid.NewGuid(), byIsOwner: false, Now, Window));
    }

    [Test]
    public void A_restored_item_can_be_deleted_again_with_a_new_time_and_author()
    {
        var item = DeletedItem();
        item.Restore(_uploader, byIsOwner: false, Now.AddDays(1), Window);
        var owner = Guid.NewGuid();
        item.Delete(owner, byIsOwner: true, Now.AddDays(2));
        Assert.Multiple(() =>
        {
            Assert.That(item.DeletedAt, Is.EqualTo(Now.AddDays(2)));
            Assert.That(item.DeletedBy, Is.EqualTo(owner));
        });
    }

    [Test]
    public void Forwarding_copies_the_content_and_thumbnail_under_a_new_id_in_the_target_hoomi()
    {
        var source = NewItem(encryptedMetadata: [1, 2, 3]);
        source.AttachThumbnail(MediaItem.ThumbnailKeyFor(_hoomi, source.Id), 777, ThumbSha);
        source.AddWrappedKey(_uploader, "k", [0x04, .. new byte[64]], new byte[48], Now);
        var newId = Guid.CreateVersion7();
        var target = Guid.NewGuid();
        var forwarder = Guid.NewGuid();
        byte[] newMetadata = [9, 9];

        var copy = source.ForwardTo(newId, target, forwarder, newMetadata, Now.AddDays(1));

        Assert.Multiple(() =>
        {
            Assert.That(copy.Id, Is.EqualTo(newId));
            Assert.That(copy.HoomiId, Is.EqualTo(target));
            Assert.That(copy.UploaderId, Is.EqualTo(forwarder));
            Assert.That(copy.StorageKey, Is.EqualTo(source.StorageKey), "the blob is shared, not copied");
            Assert.That(copy.ThumbnailStorageKey, Is.EqualTo(source.ThumbnailStorageKey));
            Assert.That(copy.ThumbnailSize, Is.EqualTo(777));
            Assert.That(copy.ThumbnailSha256, Is.EqualTo(ThumbSha));
            Assert.That(copy.Size, Is.EqualTo(source.Size));
            Assert.That(copy.Sha256, Is.EqualTo(source.Sha256));
            Assert.That(copy.MimeType, Is.EqualTo(source.MimeType));
            Assert.That((copy.Width, copy.Height, copy.DurationMs), Is.EqualTo((source.Width, source.Height, source.DurationMs)));
            Assert.That(copy.Scheme, Is.EqualTo(source.Scheme));
            Assert.That(copy.EncryptedMetadata, Is.EqualTo(newMetadata));
            Assert.That(copy.CreatedAt, Is.EqualTo(Now.AddDays(1)));
            Assert.That(copy.IsDeleted, Is.False);
            Assert.That(copy.WrappedKeys, Is.Empty, "the caller re-wraps the file key for the target's members");
            Assert.That(copy.StoredBytes, Is.EqualTo(source.StoredBytes));
        });
    }

    [Test]
    public void Forwarding_leaves_the_source_unchanged()
    {
        var source = NewItem(encryptedMetadata: [1, 2, 3]);
        source.ForwardTo(Guid.CreateVersion7(), Guid.NewGuid(), Guid.NewGuid(), null, Now);
        Assert.Multiple(() =>
        {
            Assert.That(source.HoomiId, Is.EqualTo(_hoomi));
            Assert.That(source.UploaderId, Is.EqualTo(_uploader));
            Assert.That(source.EncryptedMetadata, Is.EqualTo(new byte[] { 1, 2, 3 }));
        });
    }

    [Test]
    public void Forwarding_an_item_without_thumbnail_gives_an_item_without_thumbnail()
    {
        var copy = NewItem().ForwardTo(Guid.CreateVersion7(), Guid.NewGuid(), Guid.NewGuid(), null, Now);
        Assert.Multiple(() =>
        {
            Assert.That(copy.HasThumbnail, Is.False);
            Assert.That(copy.EncryptedMetadata, Is.Null);
        });
    }

    [Test]
    public void A_deleted_item_cannot_be_forwarded() =>
        Refused(DomainErrorKind.Conflict, "media-deleted", () => DeletedItem().ForwardTo(Guid.CreateVersion7(), Guid.NewGuid(), Guid.NewGuid(), null, Now));

    [Test]
    public void A_forwarded_item_needs_an_id_of_its_own()
    {
        var source = NewItem();
        Refused(DomainErrorKind.Invalid, "same-media-id", () => source.ForwardTo(source.Id, Guid.NewGuid(), Guid.NewGuid(), null, Now));
    }

    // hoomi-e2ee-2: content header, sender signature, signed shares.

    private static byte[] StreamHeader(byte version, int length)
    {
        var header = new byte[length];
        Random.Shared.NextBytes(header);
        "HME1"u8.CopyTo(header);
        header[4] = version;
        header[5] = 0;
        header[6] = 16;
        header[7] = 0;
        return header;
    }

    private static byte[] Point()
    {
        using var pair = System.Security.Cryptography.ECDiffieHellman.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var q = pair.ExportParameters(false).Q;
        return [0x04, .. q.X!, .. q.Y!];
    }

    [Test]
    public void A_version_1_header_of_72_bytes_is_kept_and_the_scheme_stays_hoomi_e2ee_1()
    {
        var item = NewItem();
        var header = StreamHeader(1, 72);
        item.RecordContentHeader(header);
        Assert.Multiple(() =>
        {
            Assert.That(item.Header, Is.EqualTo(header));
            Assert.That(item.Scheme, Is.EqualTo(MediaItem.SchemeV1));
        });
    }

    [Test]
    public void A_version_2_header_of_96_bytes_makes_the_scheme_hoomi_e2ee_2_and_a_forward_keeps_both()
    {
        var item = NewItem();
        var header = StreamHeader(2, 96);
        item.RecordContentHeader(header);
        var forwarded = item.ForwardTo(Guid.CreateVersion7(), Guid.NewGuid(), Guid.NewGuid(), null, Now);
        Assert.Multiple(() =>
        {
            Assert.That(item.Scheme, Is.EqualTo("hoomi-e2ee-2"));
            Assert.That(forwarded.Header, Is.EqualTo(header));
            Assert.That(forwarded.Scheme, Is.EqualTo("hoomi-e2ee-2"));
            Assert.That(forwarded.SenderKeyId, Is.Null, "the forwarder signs the forward itself");
        });
    }

    [TestCase(1, 96)]
    [TestCase(2, 72)]
    [TestCase(1, 8)]
    [TestCase(3, 96)]
    public void A_header_whose_length_is_not_the_one_of_its_version_is_refused(int version, int length) =>
        Refused(DomainErrorKind.Invalid, "invalid-header", () => NewItem().RecordContentHeader(StreamHeader((byte)version, length)));

    [Test]
    public void A_sender_signature_is_kept_and_must_be_64_bytes()
    {
        var item = NewItem();
        var signature = new byte[64];
        item.AttachSenderSignature("k", signature);
        Assert.Multiple(() =>
        {
            Assert.That(item.SenderKeyId, Is.EqualTo("k"));
            Assert.That(item.Signature, Is.EqualTo(signature));
            Refused(DomainErrorKind.Invalid, "invalid-item-signature", () => NewItem().AttachSenderSignature("k", new byte[63]));
        });
    }

    [Test]
    public void Upload_wraps_have_no_signer_and_the_items_creation_time_shared_wraps_carry_their_signer()
    {
        var item = NewItem();
        var upload = item.AddWrappedKey(Guid.NewGuid(), "a", Point(), new byte[48], item.CreatedAt);
        var shared = item.AddWrappedKey(Guid.NewGuid(), "b", Point(), new byte[48], Now.AddMinutes(5), "signer", new byte[64]);
        Assert.Multiple(() =>
        {
            Assert.That(upload.CameWithUpload(item.CreatedAt), Is.True);
            Assert.That(shared.CameWithUpload(item.CreatedAt), Is.False);
            Assert.That(shared.SignerKeyId, Is.EqualTo("signer"));
            Assert.That(shared.Signature, Has.Length.EqualTo(64));
        });
    }

    [Test]
    public void A_shared_wrap_needs_both_signer_and_a_64_byte_signature()
    {
        Assert.Multiple(() =>
        {
            Refused(DomainErrorKind.Invalid, "invalid-share-signature", () => NewItem().AddWrappedKey(Guid.NewGuid(), "a", Point(), new byte[48], Now, "signer", null));
            Refused(DomainErrorKind.Invalid, "invalid-share-signature", () => NewItem().AddWrappedKey(Guid.NewGuid(), "a", Point(), new byte[48], Now, null, new byte[64]));
            Refused(DomainErrorKind.Invalid, "invalid-share-signature", () => NewItem().AddWrappedKey(Guid.NewGuid(), "a", Point(), new byte[48], Now, "signer", new byte[65]));
        });
    }
}
