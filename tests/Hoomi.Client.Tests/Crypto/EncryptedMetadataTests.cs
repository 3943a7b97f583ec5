using System.Security.Cryptography;
using System.Text;
using Hoomi.Client.Crypto;

namespace Hoomi.Client.Tests.Crypto;

public class EncryptedMetadataTests
{
    private static readonly Guid MediaId = Guid.Parse("0193f2a4-7b1c-7d3e-8f00-0123456789ab");
    private static readonly byte[] FileKey = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

    [Test]
    public void Metadata_round_trips_with_and_without_optional_members()
    {
        var full = new MediaMetadata("Ferien 🏖.mp4", "video/mp4", 123_456_789_012, 1920, 1080, 61_000);
        var minimal = new MediaMetadata("notes.txt", "text/plain", 0);
        Assert.That(EncryptedMetadata.Decrypt(FileKey, MediaId, EncryptedMetadata.Encrypt(FileKey, MediaId, full)), Is.EqualTo(full));
        Assert.That(EncryptedMetadata.Decrypt(FileKey, MediaId, EncryptedMetadata.Encrypt(FileKey, MediaId, minimal)), Is.EqualTo(minimal));
    }

    [Test]
    public void The_layout_is_nonce_ciphertext_tag_under_the_hkdf_metadata_key_with_the_media_id_as_aad()
    {
        var metadata = new MediaMetadata("a.png", "image/png", 5, Width: 2, Height: 1);
        var encrypted = EncryptedMetadata.Encrypt(FileKey, MediaId, metadata);
        var json = """{"name":"a.png","mimeType":"image/png","size":5,"width":2,"height":1}"""u8.ToArray();
        Assert.That(encrypted, Has.Length.EqualTo(12 + json.Length + 16));

        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, FileKey, 32, [], Encoding.ASCII.GetBytes("hoomi-e2ee-1 metadata"));
        var plain = new byte[json.Length];
        using var aes = new AesGcm(key, 16);
        aes.Decrypt(encrypted.AsSpan(0, 12), encrypted.AsSpan(12, json.Length), encrypted.AsSpan(12 + json.Length), plain, Encoding.ASCII.GetBytes("0193f2a4-7b1c-7d3e-8f00-0123456789ab"));
        Assert.That(Encoding.UTF8.GetString(plain), Is.EqualTo(Encoding.UTF8.GetString(json)));
    }

    [Test]
    public void Two_encryptions_use_different_nonces()
    {
        var metadata = new MediaMetadata("a", "b", 1);
        var first = EncryptedMetadata.Encrypt(FileKey, MediaId, metadata);
        var second = EncryptedMetadata.Encrypt(FileKey, MediaId, metadata);
        Assert.That(first.AsSpan(0, 12).SequenceEqual(second.AsSpan(0, 12)), Is.False);
    }

    [Test]
    public void Decryption_fails_for_another_media_id_another_key_or_edited_bytes()
    {
        var encrypted = EncryptedMetadata.Encrypt(FileKey, MediaId, new MediaMetadata("a", "b", 1));
        var edited = encrypted.ToArray();
        edited[20] ^= 1;
        var otherKey = FileKey.ToArray();
        otherKey[0] ^= 1;
        Assert.That(() => EncryptedMetadata.Decrypt(FileKey, Guid.NewGuid(), encrypted), Throws.InstanceOf<CryptographicException>());
        Assert.That(() => EncryptedMetadata.Decrypt(otherKey, MediaId, encrypted), Throws.InstanceOf<CryptographicException>());
        Assert.That(() => EncryptedMetadata.Decrypt(FileKey, MediaId, edited), Throws.InstanceOf<CryptographicException>());
        Assert.That(() => EncryptedMetadata.Decrypt(FileKey, MediaId, encrypted.AsSpan(0, 27).ToArray()), Throws.InstanceOf<CryptographicException>());
    }

    [Test]
    public void Unknown_members_are_ignored()
    {
        var parsed = EncryptedMetadata.Parse("""{"name":"n","future":{"x":[1,2,{"y":null}]},"mimeType":"m","size":3,"colour":"blue"}"""u8);
        Assert.That(parsed, Is.EqualTo(new MediaMetadata("n", "m", 3)));
    }

    [TestCase("""{"name":"n","mimeType":"m","size":3,"name":"x"}""", Description = "duplicate required member")]
    [TestCase("""{"name":"n","mimeType":"m","size":3,"width":1,"width":2}""", Description = "duplicate optional member")]
    [TestCase("""{"name":"n","mimeType":"m","size":3,"extra":1,"extra":2}""", Description = "duplicate unknown member")]
    [TestCase("""{"mimeType":"m","size":3}""", Description = "missing name")]
    [TestCase("""{"name":"n","size":3}""", Description = "missing mimeType")]
    [TestCase("""{"name":"n","mimeType":"m"}""", Description = "missing size")]
    [TestCase("""{"name":1,"mimeType":"m","size":3}""", Description = "name not a string")]
    [TestCase("""{"name":"n","mimeType":"m","size":"3"}""", Description = "size not a number")]
    [TestCase("""{"name":"n","mimeType":"m","size":3.5}""", Description = "size not an integer")]
    [TestCase("""{"name":"n","mimeType":"m","size":-1}""", Description = "negative size")]
    [TestCase("""{"name":"n","mimeType":"m","size":3,"width":4294967296}""", Description = "width beyond int")]
    [TestCase("""{"name":"n","mimeType":"m","size":3,"height":null}""", Description = "null height")]
    [TestCase("""[{"name":"n","mimeType":"m","size":3}]""", Description = "not an object")]
    [TestCase("""{"name":"n","mimeType":"m","size":3} {}""", Description = "trailing value")]
    [TestCase("""{"name":"n","mimeType":"m","size":3,}""", Description = "trailing comma")]
    [TestCase("""{"name":"n","mimeType":"m","size":3""", Description = "unterminated")]
    public void Invalid_json_is_refused(string json) =>
        Assert.That(() => EncryptedMetadata.Parse(Encoding.UTF8.GetBytes(json)), Throws.InstanceOf<FormatException>());

    [Test]
    public void Invalid_json_inside_valid_encryption_is_refused()
    {
        var json = """{"name":"n","name":"m","mimeType":"m","size":3}"""u8.ToArray();
        var key = EncryptedMetadata.MetadataKey(FileKey);
        var encrypted = new byte[12 + json.Length + 16];
        using (var aes = new AesGcm(key, 16))
        {
            aes.Encrypt(encrypted.AsSpan(0, 12), json, encrypted.AsSpan(12, json.Length), encrypted.AsSpan(12 + json.Length), FileKeyWrapper.MediaIdAad(MediaId));
        }

        Assert.That(() => EncryptedMetadata.Decrypt(FileKey, MediaId, encrypted), Throws.InstanceOf<FormatException>());
    }
}
