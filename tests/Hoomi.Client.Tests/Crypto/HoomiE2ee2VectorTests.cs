using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hoomi.Client.Api;
using Hoomi.Client.Crypto;
using Hoomi.Client.Trust;

namespace Hoomi.Client.Tests.Crypto;

/// <summary>
/// The published vectors of hoomi-e2ee-2 (vectors/hoomi-e2ee-2.json): stream version 2 (sealed length, Padmé padding),
/// device certificates, a signed item with real HPKE wraps and a signed share, the safety number, and the negative
/// cases every reader must refuse. A generator (run by hand) and the checks of the published file.
/// </summary>
public class HoomiE2ee2VectorTests
{
    private const string FileName = "hoomi-e2ee-2.json";
    private static readonly byte[] Salt = Enumerable.Range(0x20, 32).Select(i => (byte)i).ToArray();
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private static readonly Lazy<JsonObject> Published = new(() => JsonNode.Parse(File.ReadAllBytes(TestVectors.PathOf(FileName)))!.AsObject());

    private static readonly (string Name, int Log2, long Length, bool Pad, bool Compress, Hme1Purpose Purpose)[] StreamCases =
    [
        ("content-S4096-L0", 12, 0, false, false, Hme1Purpose.Content),
        ("content-S4096-L0-padded", 12, 0, true, false, Hme1Purpose.Content),
        ("content-S4096-L1-padded", 12, 1, true, false, Hme1Purpose.Content),
        ("content-S4096-L4095-padded", 12, 4095, true, false, Hme1Purpose.Content),
        ("content-S4096-L4096", 12, 4096, false, false, Hme1Purpose.Content),
        ("content-S4096-L4097-padded", 12, 4097, true, false, Hme1Purpose.Content),
        ("content-S4096-L5000-padded", 12, 5000, true, false, Hme1Purpose.Content),
        ("content-S4096-L12289-padded", 12, 12289, true, false, Hme1Purpose.Content),
        ("content-S65536-L70000-padded", 16, 70000, true, false, Hme1Purpose.Content),
        ("thumbnail-S4096-L3000-padded", 12, 3000, true, false, Hme1Purpose.Thumbnail),
        ("content-S4096-L20000-compressed-padded", 12, 20000, true, true, Hme1Purpose.Content),
    ];

    public static IEnumerable<TestCaseData> PublishedStreams() =>
        Published.Value["streams"]!["positive"]!.AsArray().Select(v => new TestCaseData(v!["name"]!.GetValue<string>()).SetArgDisplayNames(v["name"]!.GetValue<string>()));

    public static IEnumerable<TestCaseData> PublishedStreamNegatives() =>
        Published.Value["streams"]!["negative"]!.AsArray().Select(v => new TestCaseData(v!["name"]!.GetValue<string>()).SetArgDisplayNames(v["name"]!.GetValue<string>()));

    public static IEnumerable<TestCaseData> PublishedSignatureNegatives() =>
        Published.Value["signatures"]!["negative"]!.AsArray().Select(v => new TestCaseData(v!["name"]!.GetValue<string>()).SetArgDisplayNames(v["name"]!.GetValue<string>()));

    [Test]
    [Explicit("Writes tests/Hoomi.Client.Tests/vectors/hoomi-e2ee-2.json; run by hand when the format or the cases change.")]
    public void Generate_hoomi_e2ee_2_vectors()
    {
        var file = Build();
        var path = Path.Combine(TestVectors.SourceDirectory(), "vectors", FileName);
        File.WriteAllText(path, file.ToJsonString(Indented) + "\n");
        Assert.That(File.Exists(path), Is.True);
    }

    // ---- streams ------------------------------------------------------------------------------------------------

    [TestCaseSource(nameof(PublishedStreams))]
    public void Each_stream_vector_is_reproduced_by_the_writer_and_read_back(string name)
    {
        var v = Published.Value["streams"]!["positive"]!.AsArray().Single(x => x!["name"]!.GetValue<string>() == name)!;
        var length = v["plaintextLength"]!.GetValue<long>();
        var plaintext = Hme1TestData.Pattern(length);
        var purpose = v["purpose"]!.GetValue<string>() == "thumbnail" ? Hme1Purpose.Thumbnail : Hme1Purpose.Content;
        var compressed = v["compressed"]!.GetValue<bool>();
        var ciphertext = Convert.FromHexString(v["ciphertext"]!.GetValue<string>());
        if (!compressed)
        {
            var written = Encrypt(plaintext, v["log2SegmentSize"]!.GetValue<int>(), v["padded"]!.GetValue<bool>(), compress: false, purpose);
            Assert.That(Convert.ToHexStringLower(written), Is.EqualTo(v["ciphertext"]!.GetValue<string>()), "a writer reproduces uncompressed vectors byte for byte");
        }

        Assert.Multiple(() =>
        {
            Assert.That(ciphertext, Has.Length.EqualTo(v["ciphertextLength"]!.GetValue<long>()));
            Assert.That(Hme1Format.Padme(length), Is.EqualTo(v["padmeOfLength"]!.GetValue<long>()));
            Assert.That(Decrypt(ciphertext, purpose, known: true), Is.EqualTo(plaintext));
            Assert.That(Decrypt(ciphertext, purpose, known: false), Is.EqualTo(plaintext));
        });
    }

    [TestCaseSource(nameof(PublishedStreamNegatives))]
    public void Each_negative_stream_vector_is_refused(string name)
    {
        var v = Published.Value["streams"]!["negative"]!.AsArray().Single(x => x!["name"]!.GetValue<string>() == name)!;
        var ciphertext = Convert.FromHexString(v["ciphertext"]!.GetValue<string>());
        var expected = Enum.Parse<Hme1Error>(v["error"]!.GetValue<string>(), ignoreCase: true);
        Assert.That(() => Decrypt(ciphertext, Hme1Purpose.Content, known: true),
            Throws.InstanceOf<Hme1Exception>().With.Property(nameof(Hme1Exception.Error)).EqualTo(expected));
    }

    [Test]
    public void The_published_file_covers_the_cases_the_format_lists()
    {
        var names = Published.Value["signatures"]!["negative"]!.AsArray().Select(n => n!["name"]!.GetValue<string>()).ToList();
        Assert.That(names, Is.SupersetOf(new[] { "bad-item-signature", "unsigned-device", "wrong-hoomi-id", "swapped-wraps", "device-signed-by-another-identity" }));
        var streams = Published.Value["streams"]!["negative"]!.AsArray().Select(n => n!["name"]!.GetValue<string>()).ToList();
        Assert.That(streams, Is.SupersetOf(new[] { "truncated-padding", "non-zero-padding", "sealed-length-edited", "padded-flag-cleared" }));
        Assert.That(Build()["streams"]!["negative"]!.AsArray().Select(n => n!["name"]!.GetValue<string>()), Is.EqualTo(streams), "the generator makes the same cases");
    }

    // ---- signatures ---------------------------------------------------------------------------------------------

    [Test]
    public void The_device_certificates_verify_and_their_messages_are_reproduced()
    {
        foreach (var person in new[] { "alice", "bob" })
        {
            var p = Published.Value["signatures"]![person]!;
            var userId = Guid.Parse(p["userId"]!.GetValue<string>());
            var device = p["device"]!;
            var message = SignedMessages.DeviceCertificate(userId, B64(device["publicKey"]), B64(device["signingKey"]));
            Assert.That(Convert.ToHexStringLower(message), Is.EqualTo(device["certificateMessage"]!.GetValue<string>()), person);
            Assert.That(DeviceVerifier.CheckCertificate(userId, device["keyId"]!.GetValue<string>(), device["publicKey"]!.GetValue<string>(),
                device["signingKey"]!.GetValue<string>(), p["identityKey"]!.GetValue<string>(), device["certificateSignature"]!.GetValue<string>()), Is.EqualTo(DeviceStatus.Valid), person);
            using var identity = SigningKeyPair.ImportPkcs8(Convert.FromHexString(p["identityPrivateKeyPkcs8"]!.GetValue<string>()));
            Assert.That(identity.PublicKeyBase64Url, Is.EqualTo(p["identityKey"]!.GetValue<string>()));
        }
    }

    [Test]
    public void The_signed_item_verifies_opens_for_each_recipient_and_decrypts()
    {
        var sig = Published.Value["signatures"]!;
        var item = sig["item"]!;
        var statement = Statement(item);
        Assert.That(Convert.ToHexStringLower(SignedMessages.Item(statement)), Is.EqualTo(item["message"]!.GetValue<string>()));
        var aliceDevice = sig["alice"]!["device"]!;
        Assert.That(SigningKeyPair.Verify(B64(aliceDevice["signingKey"]), SignedMessages.Item(statement), B64(item["signature"])), Is.True);

        var content = Convert.FromHexString(item["content"]!.GetValue<string>());
        Assert.That(SHA256.HashData(content), Is.EqualTo(statement.ContentSha256));
        Assert.That(content.AsSpan(0, 96).ToArray(), Is.EqualTo(statement.ContentHeader));
        foreach (var person in new[] { "alice", "bob" })
        {
            var device = sig[person]!["device"]!;
            using var key = DeviceKeyPair.ImportPkcs8(Convert.FromHexString(device["privateKeyPkcs8"]!.GetValue<string>()));
            var wrap = statement.Wraps.Single(w => w.RecipientKeyId == key.KeyId);
            var fileKey = FileKeyWrapper.Unwrap(key, wrap.Enc, wrap.WrappedKey, statement.MediaId);
            Assert.That(Hme1.Decrypt(content, fileKey, Hme1Purpose.Content), Is.EqualTo(Hme1TestData.Pattern(item["plaintextLength"]!.GetValue<long>())), person);
            Assert.That(EncryptedMetadata.Decrypt(fileKey, statement.MediaId, statement.EncryptedMetadata).Name, Is.EqualTo("vector.bin"), person);
        }
    }

    [Test]
    public void The_signed_share_verifies()
    {
        var sig = Published.Value["signatures"]!;
        var share = sig["share"]!;
        var message = SignedMessages.Share(Guid.Parse(share["hoomiId"]!.GetValue<string>()), Guid.Parse(share["mediaId"]!.GetValue<string>()),
            Convert.FromHexString(share["contentSha256"]!.GetValue<string>()), Wrap(share["wrap"]!));
        Assert.That(Convert.ToHexStringLower(message), Is.EqualTo(share["message"]!.GetValue<string>()));
        Assert.That(SigningKeyPair.Verify(B64(sig["bob"]!["device"]!["signingKey"]), message, B64(share["signature"])), Is.True);
    }

    [Test]
    public void The_safety_number_is_reproduced()
    {
        var sig = Published.Value["signatures"]!;
        var number = SafetyNumber.Compute(Guid.Parse(sig["alice"]!["userId"]!.GetValue<string>()), B64(sig["alice"]!["identityKey"]),
            Guid.Parse(sig["bob"]!["userId"]!.GetValue<string>()), B64(sig["bob"]!["identityKey"]));
        Assert.That(number, Is.EqualTo(sig["safetyNumber"]!.GetValue<string>()));
    }

    [TestCaseSource(nameof(PublishedSignatureNegatives))]
    public void Each_negative_signature_vector_is_refused(string name)
    {
        var sig = Published.Value["signatures"]!;
        var v = sig["negative"]!.AsArray().Single(x => x!["name"]!.GetValue<string>() == name)!;
        switch (v["kind"]!.GetValue<string>())
        {
            case "device":
                var status = DeviceVerifier.CheckCertificate(Guid.Parse(v["userId"]!.GetValue<string>()), v["keyId"]!.GetValue<string>(), v["publicKey"]!.GetValue<string>(),
                    v["signingKey"]?.GetValue<string>(), v["identityKey"]?.GetValue<string>(), v["signature"]?.GetValue<string>());
                Assert.That(status, Is.EqualTo(Enum.Parse<DeviceStatus>(v["expected"]!.GetValue<string>(), ignoreCase: true)));
                break;
            case "item":
                var statement = Statement(v["item"]!);
                Assert.That(SigningKeyPair.Verify(B64(sig["alice"]!["device"]!["signingKey"]), SignedMessages.Item(statement), B64(v["signature"])), Is.False);
                break;
            case "share":
                var s = v["share"]!;
                var message = SignedMessages.Share(Guid.Parse(s["hoomiId"]!.GetValue<string>()), Guid.Parse(s["mediaId"]!.GetValue<string>()),
                    Convert.FromHexString(s["contentSha256"]!.GetValue<string>()), Wrap(s["wrap"]!));
                Assert.That(SigningKeyPair.Verify(B64(sig["bob"]!["device"]!["signingKey"]), message, B64(v["signature"])), Is.False);
                break;
            default:
                Assert.Fail("unknown kind");
                break;
        }
    }

    // ---- the generator ------------------------------------------------------------------------------------------

    private static JsonObject Build()
    {
        var positives = new JsonArray();
        foreach (var c in StreamCases)
        {
            var plaintext = Hme1TestData.Pattern(c.Length);
            var ciphertext = Encrypt(plaintext, c.Log2, c.Pad, c.Compress, c.Purpose);
            positives.Add(new JsonObject
            {
                ["name"] = c.Name,
                ["purpose"] = c.Purpose == Hme1Purpose.Thumbnail ? "thumbnail" : "content",
                ["log2SegmentSize"] = c.Log2,
                ["compressed"] = c.Compress,
                ["padded"] = c.Pad,
                ["plaintextLength"] = c.Length,
                ["padmeOfLength"] = Hme1Format.Padme(c.Length),
                ["plaintextSha256"] = Convert.ToHexStringLower(SHA256.HashData(plaintext)),
                ["ciphertextLength"] = ciphertext.Length,
                ["ciphertext"] = Convert.ToHexStringLower(ciphertext),
            });
        }

        var negatives = new JsonArray
        {
            StreamNegative("truncated-padding", "L = 5000 is sealed, flag padded, but the segments carry 5100 bytes instead of Padmé(5000) = 5120.",
                Hme1.Encrypt(Hme1TestData.Pattern(5000), Hme1TestData.FileKey, Hme1Purpose.Content, new Hme1WriterOptions { Version = 2, Pad = true, Log2SegmentSize = 12, Salt = Salt, PaddedLengthForTests = 5100 }),
                Hme1Error.InvalidSealedLength),
            StreamNegative("non-zero-padding", "L = 5000, padded to 5120 with 0x5a instead of zeros.",
                Hme1.Encrypt(Hme1TestData.Pattern(5000), Hme1TestData.FileKey, Hme1Purpose.Content, new Hme1WriterOptions { Version = 2, Pad = true, Log2SegmentSize = 12, Salt = Salt, PaddingByteForTests = 0x5a }),
                Hme1Error.InvalidPadding),
            StreamNegative("sealed-length-edited", "One bit of the sealed length block (offset 79) flipped.", Flip(Encrypt(Hme1TestData.Pattern(3000), 12, true, false, Hme1Purpose.Content), 79), Hme1Error.InvalidSealedLength),
            StreamNegative("padded-flag-cleared", "Flag 0x02 cleared in the header of a padded stream.", Set(Encrypt(Hme1TestData.Pattern(3000), 12, true, false, Hme1Purpose.Content), 5, 0), Hme1Error.CommitmentMismatch),
            StreamNegative("version-1-relabelled", "A version-1 stream with its version byte set to 2.", Set(Hme1TestData.Encrypt(Hme1TestData.Pattern(3000), salt: Salt), 4, 2), Hme1Error.CommitmentMismatch),
            StreamNegative("padding-truncated-by-one-segment", "A padded stream of L = 12289 (P = 12544) with its last segment removed.", Encrypt(Hme1TestData.Pattern(12289), 12, true, false, Hme1Purpose.Content)[..(96 + (3 * (4096 + 16)))], Hme1Error.InvalidSealedLength),
        };

        return new JsonObject
        {
            ["format"] = "hoomi-e2ee-2 (docs/e2ee.md): HME1 stream version 2, device certificates, signed items and shares, safety numbers",
            ["generator"] = "tests/Hoomi.Client.Tests/Crypto/HoomiE2ee2VectorTests.cs, Generate_hoomi_e2ee_2_vectors",
            ["notes"] = new JsonArray(
                "Hex is lowercase; keys and signatures in the signatures section are base64url without padding, as on the wire.",
                "fileKey is K, salt the salt of every stream vector. The plaintext of length L is the bytes (i mod 251).",
                "Uncompressed stream vectors must be reproduced byte for byte; compressed ones are reader-only (Brotli encoders differ).",
                "Negative stream vectors give the error of a reader that knows the total length (this SDK's Hme1Error names, advisory).",
                "ECDSA signatures are randomized: a writer need not reproduce them, but must reproduce every message byte for byte; a reader verifies them.",
                "Private keys are given (PKCS#8 hex) so that another client can unwrap, decrypt and sign; they exist for vectors only."),
            ["fileKey"] = Convert.ToHexStringLower(Hme1TestData.FileKey),
            ["salt"] = Convert.ToHexStringLower(Salt),
            ["streams"] = new JsonObject { ["positive"] = positives, ["negative"] = negatives },
            ["signatures"] = BuildSignatures(),
        };
    }

    private static JsonObject BuildSignatures()
    {
        var alice = Party.Create(Guid.Parse("0193f2a4-0000-7000-8000-00000000a11c"));
        var bob = Party.Create(Guid.Parse("0193f2a4-0000-7000-8000-000000000b0b"));
        var hoomiId = Guid.Parse("0193f2a4-1111-7000-8000-000000000001");
        var mediaId = Guid.Parse("0193f2a4-2222-7000-8000-000000000002");
        var fileKey = Hme1TestData.FileKey;
        const int length = 5000;
        var content = Encrypt(Hme1TestData.Pattern(length), 12, true, false, Hme1Purpose.Content);
        var metadata = EncryptedMetadata.Encrypt(fileKey, mediaId, new MediaMetadata("vector.bin", "application/octet-stream", length, null, null, null), pad: true);
        var wraps = new[] { alice, bob }.Select(p =>
        {
            var w = FileKeyWrapper.Wrap(p.Device.PublicKey.Span, fileKey, mediaId);
            return new SignedWrap(p.Device.KeyId, Base64Url.Decode(w.EncBase64Url), Base64Url.Decode(w.WrappedKeyBase64Url));
        }).ToList();
        var statement = new ItemStatement(hoomiId, mediaId, alice.Device.KeyId, content[..96], SHA256.HashData(content), content.Length, metadata, null, null, "application/octet-stream", wraps);
        var itemMessage = SignedMessages.Item(statement);
        var itemSignature = alice.Signing.Sign(itemMessage);

        // Bob shares the key with a third device (carol's) later.
        using var carol = DeviceKeyPair.Generate();
        var carolWrap = FileKeyWrapper.Wrap(carol.PublicKey.Span, fileKey, mediaId);
        var shared = new SignedWrap(carol.KeyId, Base64Url.Decode(carolWrap.EncBase64Url), Base64Url.Decode(carolWrap.WrappedKeyBase64Url));
        var shareMessage = SignedMessages.Share(hoomiId, mediaId, SHA256.HashData(content), shared);
        var shareSignature = bob.Signing.Sign(shareMessage);

        using var otherIdentity = SigningKeyPair.Generate();
        var badSignature = (byte[])itemSignature.Clone();
        badSignature[10] ^= 0x01;
        var negatives = new JsonArray
        {
            new JsonObject { ["name"] = "bad-item-signature", ["kind"] = "item", ["description"] = "The item's signature with one bit flipped.", ["item"] = StatementJson(statement), ["signature"] = Base64Url.Encode(badSignature) },
            new JsonObject { ["name"] = "wrong-hoomi-id", ["kind"] = "item", ["description"] = "The item presented in another hoomi.", ["item"] = StatementJson(statement with { HoomiId = Guid.Parse("0193f2a4-1111-7000-8000-000000000099") }), ["signature"] = Base64Url.Encode(itemSignature) },
            new JsonObject { ["name"] = "wrong-media-id", ["kind"] = "item", ["description"] = "The item presented under another media id.", ["item"] = StatementJson(statement with { MediaId = Guid.Parse("0193f2a4-2222-7000-8000-000000000099") }), ["signature"] = Base64Url.Encode(itemSignature) },
            new JsonObject { ["name"] = "swapped-wraps", ["kind"] = "item", ["description"] = "The enc and wrapped key of the two recipients swapped.", ["item"] = StatementJson(statement with { Wraps = [wraps[0] with { Enc = wraps[1].Enc, WrappedKey = wraps[1].WrappedKey }, wraps[1] with { Enc = wraps[0].Enc, WrappedKey = wraps[0].WrappedKey }] }), ["signature"] = Base64Url.Encode(itemSignature) },
            new JsonObject { ["name"] = "extra-wrap", ["kind"] = "item", ["description"] = "A wrap for carol's device added to the signed set.", ["item"] = StatementJson(statement with { Wraps = [.. wraps, shared] }), ["signature"] = Base64Url.Encode(itemSignature) },
            new JsonObject { ["name"] = "replaced-content", ["kind"] = "item", ["description"] = "Another ciphertext hash (the server swapped the blob).", ["item"] = StatementJson(statement with { ContentSha256 = SHA256.HashData(content[..^1]) }), ["signature"] = Base64Url.Encode(itemSignature) },
            new JsonObject { ["name"] = "replaced-metadata", ["kind"] = "item", ["description"] = "Other encrypted metadata.", ["item"] = StatementJson(statement with { EncryptedMetadata = [.. metadata[..^1], (byte)(metadata[^1] ^ 1)] }), ["signature"] = Base64Url.Encode(itemSignature) },
            new JsonObject { ["name"] = "share-for-other-recipient", ["kind"] = "share", ["description"] = "Bob's share presented for alice's key id.", ["share"] = ShareJson(hoomiId, mediaId, SHA256.HashData(content), shared with { RecipientKeyId = alice.Device.KeyId }), ["signature"] = Base64Url.Encode(shareSignature) },
            DeviceNegative("unsigned-device", "A device key without certificate (a legacy key, or one the server invented).", bob, null, null, null, DeviceStatus.NotSigned),
            DeviceNegative("device-signed-by-another-identity", "Bob's device signed by another identity key but presented with bob's identity key.", bob, bob.Signing.PublicKeyBase64Url, bob.Identity.PublicKeyBase64Url,
                Base64Url.Encode(otherIdentity.Sign(SignedMessages.DeviceCertificate(bob.UserId, bob.Device.PublicKey.Span, bob.Signing.PublicKey.Span))), DeviceStatus.BadSignature),
            DeviceNegative("device-certificate-of-another-user", "Alice's certificate of her device presented as bob's.", alice with { UserId = bob.UserId }, alice.Signing.PublicKeyBase64Url, alice.Identity.PublicKeyBase64Url,
                Base64Url.Encode(alice.Identity.Sign(SignedMessages.DeviceCertificate(alice.UserId, alice.Device.PublicKey.Span, alice.Signing.PublicKey.Span))), DeviceStatus.BadSignature),
        };
        // A public key swapped under the same key id.
        using var swappedKey = DeviceKeyPair.Generate();
        negatives.Add(new JsonObject
        {
            ["name"] = "key-id-not-fingerprint", ["kind"] = "device", ["description"] = "Bob's key id with another public key.",
            ["userId"] = bob.UserId.ToString(), ["keyId"] = bob.Device.KeyId, ["publicKey"] = swappedKey.PublicKeyBase64Url,
            ["signingKey"] = bob.Signing.PublicKeyBase64Url, ["identityKey"] = bob.Identity.PublicKeyBase64Url, ["signature"] = bob.Certificate, ["expected"] = "keyIdMismatch",
        });

        return new JsonObject
        {
            ["alice"] = PartyJson(alice),
            ["bob"] = PartyJson(bob),
            ["item"] = new JsonObject
            {
                ["description"] = "Alice's device signs an item of 5000 bytes (padded) wrapped for her device and bob's.",
                ["plaintextLength"] = length,
                ["content"] = Convert.ToHexStringLower(content),
                ["statement"] = StatementJson(statement),
                ["message"] = Convert.ToHexStringLower(itemMessage),
                ["signature"] = Base64Url.Encode(itemSignature),
            },
            ["share"] = ShareJson(hoomiId, mediaId, SHA256.HashData(content), shared).Merge(new JsonObject
            {
                ["description"] = "Bob's device shares the file key with carol's device later.",
                ["message"] = Convert.ToHexStringLower(shareMessage),
                ["signature"] = Base64Url.Encode(shareSignature),
            }),
            ["safetyNumber"] = SafetyNumber.Compute(alice.UserId, alice.Identity.PublicKey.Span, bob.UserId, bob.Identity.PublicKey.Span),
            ["negative"] = negatives,
        };
    }

    private sealed record Party(Guid UserId, SigningKeyPair Identity, DeviceKeyPair Device, SigningKeyPair Signing, string Certificate)
    {
        public static Party Create(Guid userId)
        {
            var identity = SigningKeyPair.Generate();
            var device = DeviceKeyPair.Generate();
            var signing = SigningKeyPair.Generate();
            return new Party(userId, identity, device, signing, Base64Url.Encode(identity.Sign(SignedMessages.DeviceCertificate(userId, device.PublicKey.Span, signing.PublicKey.Span))));
        }
    }

    private static JsonObject PartyJson(Party p) => new()
    {
        ["userId"] = p.UserId.ToString(),
        ["identityKey"] = p.Identity.PublicKeyBase64Url,
        ["identityPrivateKeyPkcs8"] = Convert.ToHexStringLower(p.Identity.ExportPkcs8()),
        ["device"] = new JsonObject
        {
            ["keyId"] = p.Device.KeyId,
            ["publicKey"] = p.Device.PublicKeyBase64Url,
            ["privateKeyPkcs8"] = Convert.ToHexStringLower(p.Device.ExportPkcs8()),
            ["signingKey"] = p.Signing.PublicKeyBase64Url,
            ["signingPrivateKeyPkcs8"] = Convert.ToHexStringLower(p.Signing.ExportPkcs8()),
            ["certificateMessage"] = Convert.ToHexStringLower(SignedMessages.DeviceCertificate(p.UserId, p.Device.PublicKey.Span, p.Signing.PublicKey.Span)),
            ["certificateSignature"] = p.Certificate,
        },
    };

    private static JsonObject DeviceNegative(string name, string description, Party p, string? signingKey, string? identityKey, string? signature, DeviceStatus expected) => new()
    {
        ["name"] = name, ["kind"] = "device", ["description"] = description,
        ["userId"] = p.UserId.ToString(), ["keyId"] = p.Device.KeyId, ["publicKey"] = p.Device.PublicKeyBase64Url,
        ["signingKey"] = signingKey, ["identityKey"] = identityKey, ["signature"] = signature,
        ["expected"] = JsonNamingPolicy.CamelCase.ConvertName(expected.ToString()),
    };

    private static JsonObject StatementJson(ItemStatement s) => new()
    {
        ["hoomiId"] = s.HoomiId.ToString(),
        ["mediaId"] = s.MediaId.ToString(),
        ["senderKeyId"] = s.SenderKeyId,
        ["contentHeader"] = Convert.ToHexStringLower(s.ContentHeader),
        ["contentSha256"] = Convert.ToHexStringLower(s.ContentSha256),
        ["contentSize"] = s.ContentSize,
        ["encryptedMetadata"] = Convert.ToHexStringLower(s.EncryptedMetadata),
        ["thumbnailSha256"] = s.ThumbnailSha256 is null ? null : Convert.ToHexStringLower(s.ThumbnailSha256),
        ["thumbnailSize"] = s.ThumbnailSize,
        ["mimeType"] = s.MimeType,
        ["wraps"] = new JsonArray([.. s.Wraps.Select(w => (JsonNode)new JsonObject { ["recipientKeyId"] = w.RecipientKeyId, ["enc"] = Base64Url.Encode(w.Enc), ["wrappedKey"] = Base64Url.Encode(w.WrappedKey) })]),
    };

    private static JsonObject ShareJson(Guid hoomiId, Guid mediaId, byte[] contentSha256, SignedWrap w) => new()
    {
        ["hoomiId"] = hoomiId.ToString(),
        ["mediaId"] = mediaId.ToString(),
        ["contentSha256"] = Convert.ToHexStringLower(contentSha256),
        ["wrap"] = new JsonObject { ["recipientKeyId"] = w.RecipientKeyId, ["enc"] = Base64Url.Encode(w.Enc), ["wrappedKey"] = Base64Url.Encode(w.WrappedKey) },
    };

    private static ItemStatement Statement(JsonNode n)
    {
        var s = n["statement"] ?? n;
        return new ItemStatement(
            Guid.Parse(s["hoomiId"]!.GetValue<string>()), Guid.Parse(s["mediaId"]!.GetValue<string>()), s["senderKeyId"]!.GetValue<string>(),
            Convert.FromHexString(s["contentHeader"]!.GetValue<string>()), Convert.FromHexString(s["contentSha256"]!.GetValue<string>()), s["contentSize"]!.GetValue<long>(),
            Convert.FromHexString(s["encryptedMetadata"]!.GetValue<string>()),
            s["thumbnailSha256"] is { } t ? Convert.FromHexString(t.GetValue<string>()) : null, s["thumbnailSize"]?.GetValue<long>(),
            s["mimeType"]!.GetValue<string>(), [.. s["wraps"]!.AsArray().Select(w => Wrap(w!))]);
    }

    private static SignedWrap Wrap(JsonNode w) => new(w["recipientKeyId"]!.GetValue<string>(), B64(w["enc"]), B64(w["wrappedKey"]));

    private static byte[] B64(JsonNode? node) => Base64Url.Decode(node!.GetValue<string>());

    private static JsonObject StreamNegative(string name, string description, byte[] ciphertext, Hme1Error error) => new()
    {
        ["name"] = name, ["description"] = description, ["ciphertext"] = Convert.ToHexStringLower(ciphertext),
        ["error"] = JsonNamingPolicy.CamelCase.ConvertName(error.ToString()),
    };

    private static byte[] Flip(byte[] bytes, int offset)
    {
        bytes[offset] ^= 0x01;
        return bytes;
    }

    private static byte[] Set(byte[] bytes, int offset, byte value)
    {
        bytes[offset] = value;
        return bytes;
    }

    private static byte[] Encrypt(byte[] plaintext, int log2, bool pad, bool compress, Hme1Purpose purpose) =>
        Hme1.Encrypt(plaintext, Hme1TestData.FileKey, purpose, new Hme1WriterOptions { Version = 2, Pad = pad, Log2SegmentSize = log2, Compress = compress, Salt = Salt });

    private static byte[] Decrypt(byte[] ciphertext, Hme1Purpose purpose, bool known)
    {
        using var reader = new Hme1DecryptingStream(new MemoryStream(ciphertext), Hme1TestData.FileKey, purpose, known ? ciphertext.Length : null);
        using var output = new MemoryStream();
        reader.CopyTo(output);
        return output.ToArray();
    }
}

internal static class JsonObjectExtensions
{
    /// <summary>Copies the members of <paramref name="other"/> into <paramref name="target"/> (for flat vector objects).</summary>
    public static JsonObject Merge(this JsonObject target, JsonObject other)
    {
        foreach (var (key, value) in other.ToList())
        {
            other.Remove(key);
            target[key] = value;
        }

        return target;
    }
}
