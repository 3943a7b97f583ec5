using System.Security.Cryptography;
using System.Text.Json;
using Hoomi.Client.Crypto;

namespace Hoomi.Client.Tests.Crypto;

public class HpkeVectorTests
{
    private static readonly string[] Files = ["hpke-base-p256-sha256.json", "hpke-base-p256-sha256-aes128gcm.json"];

    public static IEnumerable<TestCaseData> Vectors()
    {
        foreach (var file in Files)
        {
            using var document = TestVectors.Load(file);
            var index = 0;
            foreach (var vector in document.RootElement.EnumerateArray())
            {
                yield return new TestCaseData(file, index++).SetArgDisplayNames(file, index.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }

    [Test]
    public void Both_vector_files_hold_base_mode_vectors_of_the_suite()
    {
        foreach (var file in Files)
        {
            using var document = TestVectors.Load(file);
            var vectors = document.RootElement.EnumerateArray().ToList();
            Assert.That(vectors, Is.Not.Empty, file);
            foreach (var v in vectors)
            {
                Assert.That(v.GetProperty("mode").GetInt32(), Is.Zero);
                Assert.That(v.GetProperty("kem_id").GetInt32(), Is.EqualTo(Hpke.KemId));
                Assert.That(v.GetProperty("kdf_id").GetInt32(), Is.EqualTo(Hpke.KdfId));
                Assert.That(v.GetProperty("encryptions").GetArrayLength(), Is.EqualTo(257));
            }
        }
    }

    [TestCaseSource(nameof(Vectors))]
    public void DeriveKeyPair_matches_the_recipient_and_ephemeral_keys(string file, int index)
    {
        var v = Vector(file, index);
        var (skR, pkR) = Hpke.DeriveKeyPair(v.Hex("ikmR"));
        var (skE, pkE) = Hpke.DeriveKeyPair(v.Hex("ikmE"));
        Assert.Multiple(() =>
        {
            Assert.That(Convert.ToHexStringLower(skR), Is.EqualTo(v.GetProperty("skRm").GetString()));
            Assert.That(Convert.ToHexStringLower(pkR), Is.EqualTo(v.GetProperty("pkRm").GetString()));
            Assert.That(Convert.ToHexStringLower(skE), Is.EqualTo(v.GetProperty("skEm").GetString()));
            Assert.That(Convert.ToHexStringLower(pkE), Is.EqualTo(v.GetProperty("pkEm").GetString()));
        });
    }

    [TestCaseSource(nameof(Vectors))]
    public void Sender_and_recipient_derive_the_vector_key_schedule(string file, int index)
    {
        var v = Vector(file, index);
        var aead = (HpkeAead)v.GetProperty("aead_id").GetInt32();
        using var ephemeral = P256.ImportPrivateKey(v.Hex("skEm"));
        using var recipient = P256.ImportPrivateKey(v.Hex("skRm"));
        using var sender = Hpke.SetupBaseS(v.Hex("pkRm"), v.Hex("info"), ephemeral, out var enc, aead);
        using var receiver = Hpke.SetupBaseR(recipient, v.Hex("enc"), v.Hex("info"), aead);

        Assert.That(Convert.ToHexStringLower(enc), Is.EqualTo(v.GetProperty("enc").GetString()));
        foreach (var context in new[] { sender, receiver })
        {
            Assert.Multiple(() =>
            {
                Assert.That(Convert.ToHexStringLower(context.SharedSecret), Is.EqualTo(v.GetProperty("shared_secret").GetString()));
                Assert.That(Convert.ToHexStringLower(context.Key), Is.EqualTo(v.GetProperty("key").GetString()));
                Assert.That(Convert.ToHexStringLower(context.BaseNonce), Is.EqualTo(v.GetProperty("base_nonce").GetString()));
                Assert.That(Convert.ToHexStringLower(context.ExporterSecret), Is.EqualTo(v.GetProperty("exporter_secret").GetString()));
            });
        }
    }

    [TestCaseSource(nameof(Vectors))]
    public void Every_encryption_seals_and_opens_in_sequence(string file, int index)
    {
        var v = Vector(file, index);
        var aead = (HpkeAead)v.GetProperty("aead_id").GetInt32();
        using var ephemeral = P256.ImportPrivateKey(v.Hex("skEm"));
        using var recipient = P256.ImportPrivateKey(v.Hex("skRm"));
        using var sender = Hpke.SetupBaseS(v.Hex("pkRm"), v.Hex("info"), ephemeral, out _, aead);
        using var receiver = Hpke.SetupBaseR(recipient, v.Hex("enc"), v.Hex("info"), aead);

        var count = 0;
        Span<byte> nonce = stackalloc byte[Hpke.NonceLength];
        foreach (var e in v.GetProperty("encryptions").EnumerateArray())
        {
            Assert.That(sender.SequenceNumber, Is.EqualTo((ulong)count));
            sender.ComputeNonce(nonce);
            Assert.That(Convert.ToHexStringLower(nonce), Is.EqualTo(e.GetProperty("nonce").GetString()), $"nonce {count}");
            var ct = sender.Seal(e.Hex("aad"), e.Hex("pt"));
            Assert.That(Convert.ToHexStringLower(ct), Is.EqualTo(e.GetProperty("ct").GetString()), $"seal {count}");
            var pt = receiver.Open(e.Hex("aad"), e.Hex("ct"));
            Assert.That(pt, Is.EqualTo(e.Hex("pt")), $"open {count}");
            count++;
        }

        Assert.That(count, Is.EqualTo(257));
        Assert.That(receiver.SequenceNumber, Is.EqualTo(257UL));
    }

    [TestCaseSource(nameof(Vectors))]
    public void Every_export_matches(string file, int index)
    {
        var v = Vector(file, index);
        var aead = (HpkeAead)v.GetProperty("aead_id").GetInt32();
        using var ephemeral = P256.ImportPrivateKey(v.Hex("skEm"));
        using var recipient = P256.ImportPrivateKey(v.Hex("skRm"));
        using var sender = Hpke.SetupBaseS(v.Hex("pkRm"), v.Hex("info"), ephemeral, out _, aead);
        using var receiver = Hpke.SetupBaseR(recipient, v.Hex("enc"), v.Hex("info"), aead);

        var exports = v.GetProperty("exports").EnumerateArray().ToList();
        Assert.That(exports, Has.Count.EqualTo(3));
        foreach (var x in exports)
        {
            var length = x.GetProperty("L").GetInt32();
            var expected = x.GetProperty("exported_value").GetString();
            Assert.That(Convert.ToHexStringLower(sender.Export(x.Hex("exporter_context"), length)), Is.EqualTo(expected));
            Assert.That(Convert.ToHexStringLower(receiver.Export(x.Hex("exporter_context"), length)), Is.EqualTo(expected));
        }
    }

    [TestCaseSource(nameof(Vectors))]
    public void An_open_with_a_modified_ciphertext_fails_and_keeps_the_sequence(string file, int index)
    {
        var v = Vector(file, index);
        var aead = (HpkeAead)v.GetProperty("aead_id").GetInt32();
        using var recipient = P256.ImportPrivateKey(v.Hex("skRm"));
        using var receiver = Hpke.SetupBaseR(recipient, v.Hex("enc"), v.Hex("info"), aead);
        var first = v.GetProperty("encryptions")[0];
        var ct = first.Hex("ct");
        ct[^1] ^= 1;

        Assert.That(() => receiver.Open(first.Hex("aad"), ct), Throws.InstanceOf<CryptographicException>());
        Assert.That(receiver.SequenceNumber, Is.Zero);
        Assert.That(receiver.Open(first.Hex("aad"), first.Hex("ct")), Is.EqualTo(first.Hex("pt")));
    }

    [Test]
    public void Single_shot_seal_and_open_round_trip_and_contexts_refuse_the_wrong_role()
    {
        using var recipient = DeviceKeyPair.Generate();
        var ct = Hpke.Seal(recipient.PublicKey.Span, "info"u8, "aad"u8, "hello"u8, out var enc);
        Assert.That(Hpke.Open(recipient.Key, enc, "info"u8, "aad"u8, ct), Is.EqualTo("hello"u8.ToArray()));
        Assert.That(() => Hpke.Open(recipient.Key, enc, "other"u8, "aad"u8, ct), Throws.InstanceOf<CryptographicException>());

        using var sender = Hpke.SetupBaseS(recipient.PublicKey.Span, "info"u8, out var enc2);
        using var receiver = Hpke.SetupBaseR(recipient.Key, enc2, "info"u8);
        Assert.That(() => sender.Open([], new byte[16]), Throws.InvalidOperationException);
        Assert.That(() => receiver.Seal([], []), Throws.InvalidOperationException);
    }

    [Test]
    public void Encapsulation_refuses_an_off_curve_recipient_key()
    {
        using var recipient = DeviceKeyPair.Generate();
        var bad = recipient.PublicKey.ToArray();
        bad[64] ^= 1;
        Assert.That(() => Hpke.Seal(bad, [], [], [], out _), Throws.InstanceOf<CryptographicException>());
        Assert.That(() => Hpke.Open(recipient.Key, bad, [], [], new byte[16]), Throws.InstanceOf<CryptographicException>());
    }

    private static JsonElement Vector(string file, int index)
    {
        using var document = TestVectors.Load(file);
        return document.RootElement[index].Clone();
    }
}
