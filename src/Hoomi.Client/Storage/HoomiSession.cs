namespace Hoomi.Client.Storage;

/// <summary>What a signed-in client keeps between runs: the server it talks to and its tokens.</summary>
public sealed record HoomiSession
{
    public required Uri Server { get; init; }

    public required string UserName { get; init; }

    public Guid? UserId { get; init; }

    public required string AccessToken { get; init; }

    public required string RefreshToken { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The device key id last registered for this user, so that it is not sent again before every command.</summary>
    public string? RegisteredKeyId { get; init; }
}
