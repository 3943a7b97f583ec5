using Hoomi.Application.Common.Exceptions;
using Hoomi.Application.Common.Interfaces;
using Hoomi.Domain.Common;
using Hoomi.Domain.Keys;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Hoomi.Application.Keys.Commands.RegisterDeviceKey;

/// <summary>Registers one of the caller's device public keys under its fingerprint. Idempotent for the same key.</summary>
public sealed record RegisterDeviceKeyCommand(string KeyId, string? PublicKey) : ICommand<RegisterDeviceKeyResult>;

public sealed record RegisterDeviceKeyResult(DeviceKeyDto Key, bool Created);

public sealed class RegisterDeviceKeyCommandHandler(IHoomiDbContext db, ICurrentUser user, TimeProvider clock)
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

            return new RegisterDeviceKeyResult(existing.ToDto(), Created: false);
        }

        var key = DeviceKey.Register(user.Id, command.KeyId, publicKey, clock.GetUtcNow());
        db.DeviceKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return new RegisterDeviceKeyResult(key.ToDto(), Created: true);
    }
}
