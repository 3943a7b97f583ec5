namespace Hoomi.Client;

/// <summary>A failure the client finds by itself (no key for this device, a file that changed during upload, ...).</summary>
public class HoomiClientException : Exception
{
    public HoomiClientException()
    {
    }

    public HoomiClientException(string message)
        : base(message)
    {
    }

    public HoomiClientException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
