using System.Text.Json;

namespace Hoomi.Client.Tests.Crypto;

internal static class TestVectors
{
    public static string PathOf(string fileName) => Path.Combine(TestContext.CurrentContext.TestDirectory, "vectors", fileName);

    public static JsonDocument Load(string fileName) => JsonDocument.Parse(File.ReadAllBytes(PathOf(fileName)));

    public static byte[] Hex(this JsonElement element, string name) => Convert.FromHexString(element.GetProperty(name).GetString()!);

    /// <summary>The source folder of this test project, for the generator that writes vectors back.</summary>
    public static string SourceDirectory()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Hoomi.Client.Tests.csproj")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("Hoomi.Client.Tests source folder not found.");
    }
}
