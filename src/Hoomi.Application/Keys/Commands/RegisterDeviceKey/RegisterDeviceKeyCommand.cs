using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Domain.Common;
using Hoomi.Domain.Keys;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Hoomi.Application.Quotas;
using Microsoft.Extensions.Options;

namespace Hoomi.Application.Keys.Commands.RegisterDeviceKey;

/// <summary>
/// Registers one of the caller's device public keys under its fingerprint, optionally with its device
/// certificate (signing key, identity key, signature; all three or none). Idempotent for the same key;
/// putting a registered key again with a certificate stores or replaces the certificate.
/// </summary>
public sealed record RegisterDeviceKeyCommand(
    string KeyId, string? PublicKey, string? SigningKey = null, string? IdentityKey = null, string? Signature = null)
    : ICommand<RegisterDeviceKeyResult>
{
    public bool HasCertificate => SigningKey is not null || IdentityKey is not null || Signature is not null;
}

public sealed record RegisterDeviceKeyResult(DeviceKeyDto Key, bool Created);

public sealed class RegisterDeviceKeyCommandHandler(IHoomiDbContext db, ICurrentUser user, TimeProvider clock, IOptions<QuotaOptions> quotas)
    : ICommandHandler<RegisterDeviceKeyCommand, RegisterDeviceKeyResult>
{
    public async ValueTask<RegisterDeviceKeyResult> Handle(RegisterDeviceKeyCommand command, CancellationToken cancellationToken)
    {
        Base64Url.TryDecode(command.PublicKey, out var publicKey);
        var existing = await db.DeviceKeys.FirstOrDefaultAsync(k => k.KeyId == command.KeyId, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            if (existing.UserId != user.Id)
            {
                throw new ConflictException("key-in-use", "This device key is registered to another account.");
            }

            if (!existing.IsActive)
            {
                throw new ConflictException("key-revoked", "This device key was revoked and cannot be registered again; generate a new one.");
            }

            if (command.HasCertificate)
            {
                Certify(existing, command);
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }

            return new RegisterDeviceKeyResult(existing.ToDto(), Created: false);
        }

        // Every member's active keys must be wrapped for on each upload: an unbounded number would make every upload to
        // that member's hoomis unbounded too.
        var limit = quotas.Value.MaxDeviceKeysPerUser;
        var userId = user.Id;
        var active = await db.DeviceKeys.CountAsync(k => k.UserId == userId && k.RevokedAt == null, cancellationToken).ConfigureAwait(false);
        if (active >= limit)
        {
            throw new ConflictException("device-key-limit-reached", $"This account has {active} active device keys, the most allowed ({limit}); revoke one first.",
                new Dictionary<string, object?> { ["limit"] = limit });
        }

        var key = DeviceKey.Register(user.Id, command.KeyId, publicKey, clock.GetUtcNow());
        if (command.HasCertificate)
        {
            Certify(key, command);
        }

        db.DeviceKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return new RegisterDeviceKeyResult(key.ToDto(), Created: true);
    }

    // The validator made sure all three are there and are base64url; the entity checks the points and the signature.
    private static void Certify(DeviceKey key, RegisterDeviceKeyCommand command) =>
        key.Certify(Decode(command.SigningKey), Decode(command.IdentityKey), Decode(command.Signature));

    private static byte[] Decode(string? value) => Base64Url.TryDecode(value, out var bytes) ? bytes : [];
}
