namespace Hoomi.Client.Crypto;

/// <summary>One-call encryption and decryption of whole <c>HME1</c> buffers, for small items such as thumbnails.</summary>
public static class Hme1
{
    public static byte[] Encrypt(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> fileKey, Hme1Purpose purpose, Hme1WriterOptions? options = null)
    {
        using var output = new MemoryStream();
        using (var writer = new Hme1EncryptingStream(output, fileKey, purpose, WithLeaveOpen(options)))
        {
            writer.Write(plaintext);
        }

        return output.ToArray();
    }

    public static byte[] Decrypt(ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> fileKey, Hme1Purpose purpose)
    {
        using var input = new MemoryStream(ciphertext.ToArray(), writable: false);
        using var reader = new Hme1DecryptingStream(input, fileKey, purpose, ciphertext.Length);
        using var output = new MemoryStream();
        reader.CopyTo(output);
        return output.ToArray();
    }

    private static Hme1WriterOptions WithLeaveOpen(Hme1WriterOptions? options) => new()
    {
        Log2SegmentSize = options?.Log2SegmentSize ?? Hme1Format.DefaultLog2SegmentSize,
        Compress = options?.Compress ?? false,
        CompressionLevel = options?.CompressionLevel ?? System.IO.Compression.CompressionLevel.Optimal,
        Salt = options?.Salt,
        LeaveOpen = true,
    };
}
