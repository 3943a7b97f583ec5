using Hoomi.Application.Common.Validation;
using FluentValidation;
using Hoomi.Domain.Common;
using Hoomi.Domain.Keys;

namespace Hoomi.Application.Keys.Commands.RegisterDeviceKey;

public sealed class RegisterDeviceKeyCommandValidator : AbstractValidator<RegisterDeviceKeyCommand>
{
    public RegisterDeviceKeyCommandValidator()
    {
        RuleFor(c => c.PublicKey)
            .NotEmpty()
            .HeaderSafe("publicKey", 128)
            .Must(k => Base64Url.IsOfLength(k, P256PublicKey.Length))
            .WithMessage("The public key must be 65 bytes (SEC1 uncompressed P-256 point) in unpadded base64url.")
            .Must(k => Base64Url.TryDecode(k, out var b) && P256PublicKey.IsValid(b))
            .WithMessage("The public key is not a point on the P-256 curve.");

        RuleFor(c => c.KeyId)
            .Must(TextRules.IsKeyId)
            .WithMessage("The key id must be the 43-character base64url SHA-256 fingerprint of the public key.")
            .Must((c, id) => Base64Url.TryDecode(c.PublicKey, out var b) && P256PublicKey.KeyIdOf(b) == id)
            .When(c => Base64Url.TryDecode(c.PublicKey, out var b) && P256PublicKey.IsValid(b), ApplyConditionTo.CurrentValidator)
            .WithMessage("The key id is not the fingerprint of the public key.");

        // The device certificate comes whole or not at all; whether its keys are points and its signature
        // verifies is the entity's check (invalid-public-key, invalid-device-signature).
        When(c => c.HasCertificate, () =>
        {
            RuleFor(c => c.SigningKey)
                .NotNull().WithMessage("signingKey, identityKey and signature come together: signingKey is missing.")
                .HeaderSafe("signingKey", 128)
                .Must(k => k is null || Base64Url.TryDecode(k, out _)).WithMessage("signingKey must be unpadded base64url.");
            RuleFor(c => c.IdentityKey)
                .NotNull().WithMessage("signingKey, identityKey and signature come together: identityKey is missing.")
                .HeaderSafe("identityKey", 128)
                .Must(k => k is null || Base64Url.TryDecode(k, out _)).WithMessage("identityKey must be unpadded base64url.");
            RuleFor(c => c.Signature)
                .NotNull().WithMessage("signingKey, identityKey and signature come together: signature is missing.")
                .HeaderSafe("signature", 128)
                .Must(k => k is null || Base64Url.TryDecode(k, out _)).WithMessage("signature must be unpadded base64url.");
        });
    }
}
