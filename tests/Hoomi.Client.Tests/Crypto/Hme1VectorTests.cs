using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hoomi.Client.Crypto;

namespace Hoomi.Client.Tests.Crypto;

/// <summary>
/// The project's published HME1 vectors (vectors/hme1.json): a generator, run by hand when the format or the cases
/// change, and the checks that the writer reproduces the file and the reader accepts or refuses every case.
/// </summary>
public class Hme1VectorTests
{
    private const string FileName = "hme1.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private static readonly byte[] Salt = Enumerable.Range(0x20, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] OtherSalt = Enumerable.Range(0x40, 32).Select(i => (byte)i).ToArray();

    private static readonly Lazy<Hme1VectorFile> Published = new(() =>
        JsonSerializer.Deserialize<Hme1VectorFile>(File.ReadAllBytes(TestVectors.PathOf(FileName)), Json)!);

    public static IEnumerable<TestCaseData> Positives() =>
        Published.Value.Positive.Select(p => new TestCaseData(p.Name).SetArgDisplayNames(p.Name));

    public static IEnumerable<TestCaseData> Negatives() =>
        Published.Value.Negative.Select(n => new TestCaseData(n.Name).SetArgDisplayNames(n.Name));

    [Test]
    [Explicit("Writes tests/Hoomi.Client.Tests/vectors/hme1.json; run by hand when the cases change.")]
    public void Generate_hme1_vectors()
    {
        var file = Build();
        var bytes = JsonSerializer.SerializeToUtf8Bytes(file, Json);
        var path = Path.Combine(TestVectors.SourceDirectory(), "vectors", FileName);
        File.WriteAllBytes(path, [.. bytes, (byte)'\n']);
        TestContext.Out.WriteLine($"Wrote {path}: {file.Positive.Count} positive, {file.Negative.Count} negative vectors.");
        Assert.That(File.Exists(path), Is.True);
    }

    [Test]
    public void The_published_file_covers_the_cases_e2ee_md_lists()
    {
        var file = Published.Value;
        Assert.That(file.FileKey, Is.EqualTo(Convert.ToHexStringLower(Hme1TestData.FileKey)));
        Assert.That(file.Salt, Is.EqualTo(Convert.ToHexStringLower(Salt)));
        foreach (var log2 in new[] { 12, 16 })
        {
            var s = 1L << log2;
            foreach (var length in new[] { 0, 1, s - 1, s, s + 1, 3 * s })
            {
                foreach (var compressed in new[] { false, true })
                {
                    Assert.That(
                        file.Positive.Any(p => p.Log2SegmentSize == log2 && p.PlaintextLength == length && p.Compressed == compressed),
                        $"S=2^{log2}, L={length}, compressed={compressed}");
                }
            }
        }

        var names = file.Negative.Select(n => n.Name).ToList();
        Assert.That(names, Is.Unique);
        Assert.That(names, Is.SupersetOf(new[]
        {
            "truncated-at-segment-boundary", "truncated-inside-segment", "reordered-segments", "duplicated-segment",
            "header-salt-bit-flipped", "commitment-bit-flipped", "body-bit-flipped", "trailing-data-after-full-last-segment",
            "wrong-purpose", "empty-last-segment-after-full-one",
        }));
    }

    [TestCaseSource(nameof(Positives))]
    public void The_writer_reproduces_each_uncompressed_vector_and_the_reader_returns_its_plaintext(string name)
    {
        var vector = Published.Value.Positive.Single(p => p.Name == name);
        var plaintext = Hme1TestData.Pattern(vector.PlaintextLength);
        Assert.That(Sha256Hex(plaintext), Is.EqualTo(vector.PlaintextSha256), "plaintext pattern");

        byte[] ciphertext;
        if (vector.ReaderOnly)
        {
            Assert.That(vector.Compressed, Is.True, "only compressed vectors are reader-only");
            ciphertext = Convert.FromHexString(vector.Ciphertext!);
        }
        else
        {
            ciphertext = Hme1TestData.Encrypt(plaintext, vector.Log2SegmentSize, vector.Compressed, vector.Purpose, salt: Salt);
            if (vector.Ciphertext is not null)
            {
                Assert.That(Convert.ToHexStringLower(ciphertext), Is.EqualTo(vector.Ciphertext));
            }
        }

        Assert.That(ciphertext, Has.Length.EqualTo(vector.CiphertextLength));
        Assert.That(Sha256Hex(ciphertext), Is.EqualTo(vector.CiphertextSha256));
        Assert.That(Hme1TestData.Decrypt(ciphertext, knownLength: true, vector.Purpose), Is.EqualTo(plaintext));
        Assert.That(Hme1TestData.Decrypt(ciphertext, knownLength: false, vector.Purpose), Is.EqualTo(plaintext));
    }

    [TestCaseSource(nameof(Negatives))]
    public void The_reader_refuses_each_negative_vector_with_the_documented_error(string name)
    {
        var file = Published.Value;
        var vector = file.Negative.Single(n => n.Name == name);
        var ciphertext = Assemble(file, vector.Parts);
        Assert.That(ciphertext, Has.Length.EqualTo(vector.CiphertextLength));
        Assert.That(Sha256Hex(ciphertext), Is.EqualTo(vector.CiphertextSha256));

        Assert.That(() => Hme1TestData.Decrypt(ciphertext, knownLength: true, vector.Purpose),
            Throws.InstanceOf<Hme1Exception>().With.Property(nameof(Hme1Exception.Error)).EqualTo(vector.Error), "with the total length");
        Assert.That(() => Hme1TestData.Decrypt(ciphertext, knownLength: false, vector.Purpose),
            Throws.InstanceOf<Hme1Exception>().With.Property(nameof(Hme1Exception.Error)).EqualTo(vector.ErrorWithoutLength), "streaming");
    }

    [Test]
    public void The_auxiliary_sources_are_reproduced_by_the_generator()
    {
        var file = Published.Value;
        var built = Build();
        Assert.That(built.Sources.Select(s => (s.Name, s.Ciphertext)), Is.EqualTo(file.Sources.Select(s => (s.Name, s.Ciphertext))));
        Assert.That(built.Negative.Select(n => n.Name), Is.EqualTo(file.Negative.Select(n => n.Name)));
    }

    private static Hme1VectorFile Build()
    {
        var positives = new List<Hme1PositiveVector>();
        foreach (var log2 in new[] { 12, 16 })
        {
            var s = 1L << log2;
            foreach (var length in new[] { 0, 1, s - 1, s, s + 1, 3 * s })
            {
                positives.Add(Positive(Hme1Purpose.Content, log2, length, compressed: false));
            }
        }

        foreach (var log2 in new[] { 12, 16 })
        {
            var s = 1L << log2;
            foreach (var length in new[] { 0, 1, s - 1, s, s + 1, 3 * s })
            {
                positives.Add(Positive(Hme1Purpose.Content, log2, length, compressed: true));
            }
        }

        positives.Add(Positive(Hme1Purpose.Thumbnail, 12, 4097, compressed: false));
        var baseVector = Positive(Hme1Purpose.Content, 12, (2 * 4096) + 100, compressed: false);
        positives.Add(baseVector);
        var fullLast = positives.Single(p => p.Name == "content-S4096-L4096");

        var sources = new List<Hme1SourceVector>
        {
            new("other-salt", "content-S4096-L8292's plaintext with the same K under the salt 0x40..0x5f: a stream to move a segment from.",
                Hex(Hme1TestData.Encrypt(Hme1TestData.Pattern(baseVector.PlaintextLength), salt: OtherSalt))),
            new("empty-last-segment", "A writer bug: one full segment sealed as not last, then an empty segment sealed as last (L = 4096, S = 4096). Every tag is valid.",
                Hex(SealRaw([(4096, false), (0, true)]))),
            new("no-last-flag", "A writer bug: content-S4096-L8292 with every segment sealed as not last. Every tag is valid for that nonce.",
                Hex(SealRaw([(4096, false), (4096, false), (100, false)]))),
        };

        const int Stride = 4096 + 16;
        const int S0 = 72;
        const int S1 = 72 + Stride;
        const int S2 = 72 + (2 * Stride);
        var b = baseVector.Name;
        var negatives = new List<Hme1NegativeVector>
        {
            Negative("empty-stream", "No bytes at all.", [], Hme1Error.Truncated, Hme1Error.Truncated),
            Negative("truncated-inside-header", "The first 40 header bytes only.", [Slice(b, 0, 40)], Hme1Error.Truncated, Hme1Error.Truncated),
            Negative("header-only", "The header without any segment.", [Slice(b, 0, 72)], Hme1Error.InvalidLength, Hme1Error.Truncated),
            Negative("truncated-at-segment-boundary", "The last segment dropped: segment 1 now ends the file but was not sealed as last.", [Slice(b, 0, S2)], Hme1Error.AuthenticationFailed, Hme1Error.AuthenticationFailed),
            Negative("truncated-inside-segment", "Cut 2000 bytes into segment 1.", [Slice(b, 0, S1 + 2000)], Hme1Error.AuthenticationFailed, Hme1Error.AuthenticationFailed),
            Negative("truncated-inside-last-tag", "The last 8 bytes of the final tag missing.", [Slice(b, 0, baseVector.CiphertextLength - 8)], Hme1Error.AuthenticationFailed, Hme1Error.AuthenticationFailed),
            Negative("reordered-segments", "Segments 0 and 1 swapped.", [Slice(b, 0, 72), Slice(b, S1, Stride), Slice(b, S0, Stride), Slice(b, S2, 116)], Hme1Error.AuthenticationFailed, Hme1Error.AuthenticationFailed),
            Negative("duplicated-segment", "Segment 0 twice.", [Slice(b, 0, S1), Slice(b, S0, Stride), Slice(b, S1, Stride + 116)], Hme1Error.AuthenticationFailed, Hme1Error.AuthenticationFailed),
            Negative("dropped-middle-segment", "Segment 1 removed.", [Slice(b, 0, S1), Slice(b, S2, 116)], Hme1Error.AuthenticationFailed, Hme1Error.AuthenticationFailed),
            Negative("segment-from-another-stream", "Segment 1 taken from the same plaintext and K under another salt.", [Slice(b, 0, S1), Slice("other-salt", S1, Stride), Slice(b, S2, 116)], Hme1Error.AuthenticationFailed, Hme1Error.AuthenticationFailed),
            Negative("header-magic-bit-flipped", "Bit 0 of byte 0 flipped.", Flip(b, baseVector.CiphertextLength, 0, 0x01), Hme1Error.BadMagic, Hme1Error.BadMagic),
            Negative("header-version-3", "Version byte set to 3 (no such version; 2 is hoomi-e2ee-2, whose vectors are in hoomi-e2ee-2.json).", Flip(b, baseVector.CiphertextLength, 4, 0x02), Hme1Error.UnsupportedVersion, Hme1Error.UnsupportedVersion),
            Negative("header-unknown-flag", "Flag 0x02 set.", Flip(b, baseVector.CiphertextLength, 5, 0x02), Hme1Error.UnknownFlags, Hme1Error.UnknownFlags),
            Negative("header-compression-flag-flipped", "Flag 0x01 set on an uncompressed stream: the fields are valid, the commitment is not.", Flip(b, baseVector.CiphertextLength, 5, 0x01), Hme1Error.CommitmentMismatch, Hme1Error.CommitmentMismatch),
            Negative("header-segment-size-2^11", "log2(S) 12 changed to 11.", Flip(b, baseVector.CiphertextLength, 6, 0x07), Hme1Error.SegmentSizeOutOfRange, Hme1Error.SegmentSizeOutOfRange),
            Negative("header-segment-size-2^13", "log2(S) 12 changed to 13: in range and the length is explained, the commitment is not.", Flip(b, baseVector.CiphertextLength, 6, 0x01), Hme1Error.CommitmentMismatch, Hme1Error.CommitmentMismatch),
            Negative("header-reserved-byte-set", "Reserved byte set to 1.", Flip(b, baseVector.CiphertextLength, 7, 0x01), Hme1Error.ReservedByteNotZero, Hme1Error.ReservedByteNotZero),
            Negative("header-salt-bit-flipped", "Bit 7 of the first salt byte flipped.", Flip(b, baseVector.CiphertextLength, 8, 0x80), Hme1Error.CommitmentMismatch, Hme1Error.CommitmentMismatch),
            Negative("commitment-bit-flipped", "Bit 0 of the last commitment byte flipped.", Flip(b, baseVector.CiphertextLength, 71, 0x01), Hme1Error.CommitmentMismatch, Hme1Error.CommitmentMismatch),
            Negative("body-bit-flipped", "Bit 0 of byte 100 of segment 1 flipped.", Flip(b, baseVector.CiphertextLength, S1 + 100, 0x01), Hme1Error.AuthenticationFailed, Hme1Error.AuthenticationFailed),
            Negative("tag-bit-flipped", "Bit 0 of the final tag byte flipped.", Flip(b, baseVector.CiphertextLength, baseVector.CiphertextLength - 1, 0x01), Hme1Error.AuthenticationFailed, Hme1Error.AuthenticationFailed),
            Negative("trailing-byte", "One zero byte appended: the length now explains a longer last segment, which fails.", [Slice(b, 0, baseVector.CiphertextLength), HexPart("00")], Hme1Error.AuthenticationFailed, Hme1Error.AuthenticationFailed),
            Negative("trailing-data-after-full-last-segment", "16 zero bytes after content-S4096-L4096: an empty last segment after a full one, a length no L explains.", [Slice(fullLast.Name, 0, fullLast.CiphertextLength), HexPart(new string('0', 32))], Hme1Error.InvalidLength, Hme1Error.AuthenticationFailed),
            Negative("trailing-5-bytes-after-full-last-segment", "5 bytes after content-S4096-L4096: a length no L explains.", [Slice(fullLast.Name, 0, fullLast.CiphertextLength), HexPart("0102030405")], Hme1Error.InvalidLength, Hme1Error.AuthenticationFailed),
            Negative("wrong-purpose", "content-S4096-L8292 read as a thumbnail.", [Slice(b, 0, baseVector.CiphertextLength)], Hme1Error.CommitmentMismatch, Hme1Error.CommitmentMismatch, Hme1Purpose.Thumbnail),
            Negative("empty-last-segment-after-full-one", "Source empty-last-segment: authentic, but an empty last segment after a full one is a length no L explains.", [Slice("empty-last-segment", 0, 72 + Stride + 16)], Hme1Error.InvalidLength, Hme1Error.InvalidLength),
            Negative("missing-last-flag", "Source no-last-flag: the final segment was not sealed as last.", [Slice("no-last-flag", 0, baseVector.CiphertextLength)], Hme1Error.AuthenticationFailed, Hme1Error.AuthenticationFailed),
        };

        var file = new Hme1VectorFile(
            Format: "HME1 encrypted stream of hoomi-e2ee-1 (docs/e2ee.md)",
            Generator: "tests/Hoomi.Client.Tests/Crypto/Hme1VectorTests.cs, Generate_hme1_vectors",
            Notes:
            [
                "All hex is lowercase. fileKey is K; salt is the salt of every positive vector (never fixed in real use).",
                "The plaintext of length L is the bytes (i mod 251) for i = 0..L-1; plaintextSha256 is its SHA-256.",
                "Uncompressed positive vectors must be reproduced byte for byte by a writer; ciphertext hex is given when the ciphertext is at most 9000 bytes, otherwise its SHA-256.",
                "Compressed vectors are reader-only (Brotli encoders differ): readers must return the plaintext; their ciphertext is always given.",
                "A negative vector's ciphertext is the concatenation of its parts: a part is either hex, or bytes [offset, offset+length) of the named positive vector or source, XORed with xor (hex, same length) when present.",
                "error is the refusal of a reader given the total ciphertext length (its own length); errorWithoutLength that of a streaming reader without it. Readers must refuse every negative vector; the error names are this SDK's (Hme1Error) and only advisory for other clients.",
            ],
            FileKey: Hex(Hme1TestData.FileKey),
            Salt: Hex(Salt),
            Positive: positives,
            Sources: sources,
            Negative: []);
        foreach (var negative in negatives)
        {
            var bytes = Assemble(file with { Negative = [] }, negative.Parts);
            file.Negative.Add(negative with { CiphertextLength = bytes.Length, CiphertextSha256 = Sha256Hex(bytes) });
        }

        return file;
    }

    private static Hme1PositiveVector Positive(Hme1Purpose purpose, int log2, long length, bool compressed)
    {
        var plaintext = Hme1TestData.Pattern(length);
        var ciphertext = Hme1TestData.Encrypt(plaintext, log2, compressed, purpose, salt: Salt);
        var name = $"{(purpose == Hme1Purpose.Content ? "content" : "thumbnail")}-S{1 << log2}-L{length}{(compressed ? "-brotli" : string.Empty)}";
        return new Hme1PositiveVector(
            name, purpose, log2, compressed, ReaderOnly: compressed, length, Sha256Hex(plaintext), ciphertext.Length, Sha256Hex(ciphertext),
            compressed || ciphertext.Length <= 9000 ? Hex(ciphertext) : null);
    }

    /// <summary>Seals segments of the pattern plaintext with chosen last flags, to build streams a correct writer never makes.</summary>
    private static byte[] SealRaw((int Length, bool Last)[] segments)
    {
        var header = new byte[72];
        "HME1"u8.CopyTo(header);
        header[4] = 1;
        header[6] = 12;
        Salt.CopyTo(header, 8);
        using var cipher = Hme1SegmentCipher.Create(Hme1TestData.FileKey, Hme1Purpose.Content, header, header.AsSpan(40, 32));
        var output = new List<byte>(header);
        var plaintext = Hme1TestData.Pattern(segments.Sum(s => s.Length));
        var offset = 0;
        for (var i = 0; i < segments.Length; i++)
        {
            var sealedSegment = new byte[segments[i].Length + 16];
            cipher.Encrypt(i, segments[i].Last, plaintext.AsSpan(offset, segments[i].Length), sealedSegment);
            output.AddRange(sealedSegment);
            offset += segments[i].Length;
        }

        return [.. output];
    }

    private static byte[] Assemble(Hme1VectorFile file, IEnumerable<Hme1Part> parts)
    {
        var output = new List<byte>();
        foreach (var part in parts)
        {
            if (part.Hex is not null)
            {
                output.AddRange(Convert.FromHexString(part.Hex));
                continue;
            }

            var source = Ciphertext(file, part.From!);
            var slice = source.AsSpan((int)part.Offset!.Value, (int)part.Length!.Value).ToArray();
            if (part.Xor is not null)
            {
                var mask = Convert.FromHexString(part.Xor);
                for (var i = 0; i < slice.Length; i++)
                {
                    slice[i] ^= mask[i];
                }
            }

            output.AddRange(slice);
        }

        return [.. output];
    }

    private static byte[] Ciphertext(Hme1VectorFile file, string name)
    {
        if (file.Sources.SingleOrDefault(s => s.Name == name) is { } source)
        {
            return Convert.FromHexString(source.Ciphertext);
        }

        var positive = file.Positive.Single(p => p.Name == name);
        return positive.Ciphertext is not null
            ? Convert.FromHexString(positive.Ciphertext)
            : Hme1TestData.Encrypt(Hme1TestData.Pattern(positive.PlaintextLength), positive.Log2SegmentSize, positive.Compressed, positive.Purpose, salt: Salt);
    }

    private static Hme1NegativeVector Negative(string name, string description, List<Hme1Part> parts, Hme1Error error, Hme1Error errorWithoutLength, Hme1Purpose purpose = Hme1Purpose.Content) =>
        new(name, description, purpose, parts, 0, string.Empty, error, errorWithoutLength);

    private static Hme1Part Slice(string from, long offset, long length, string? xor = null) => new(from, offset, length, null, xor);

    private static Hme1Part HexPart(string hex) => new(null, null, null, hex, null);

    private static List<Hme1Part> Flip(string from, long totalLength, long offset, byte mask)
    {
        List<Hme1Part> parts =
        [
            Slice(from, 0, offset),
            Slice(from, offset, 1, Convert.ToHexStringLower([mask])),
            Slice(from, offset + 1, totalLength - offset - 1),
        ];
        return parts.Where(p => p.Length > 0).ToList();
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    private static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}

internal sealed record Hme1VectorFile(
    string Format, string Generator, List<string> Notes, string FileKey, string Salt,
    List<Hme1PositiveVector> Positive, List<Hme1SourceVector> Sources, List<Hme1NegativeVector> Negative);

internal sealed record Hme1PositiveVector(
    string Name, Hme1Purpose Purpose, int Log2SegmentSize, bool Compressed, bool ReaderOnly,
    long PlaintextLength, string PlaintextSha256, long CiphertextLength, string CiphertextSha256, string? Ciphertext);

internal sealed record Hme1SourceVector(string Name, string Description, string Ciphertext);

internal sealed record Hme1NegativeVector(
    string Name, string Description, Hme1Purpose Purpose, List<Hme1Part> Parts,
    long CiphertextLength, string CiphertextSha256, Hme1Error Error, Hme1Error ErrorWithoutLength);

internal sealed record Hme1Part(string? From, long? Offset, long? Length, string? Hex, string? Xor);
