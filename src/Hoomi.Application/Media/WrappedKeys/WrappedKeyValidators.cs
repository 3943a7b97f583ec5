using FluentValidation;
using Hoomi.Application.Common.Validation;
using Hoomi.Domain.Common;
using Hoomi.Domain.Keys;
using Hoomi.Domain.Media;

namespace Hoomi.Application.Media.WrappedKeys;

/// <summary>The rules of a list of wrapped keys, one set for an upload's, a forward's and a share's.</summary>
public static class WrappedKeyListRules
{
    /// <summary>The most wrapped keys one request may carry (one per member device key).</summary>
    public const int MaxCount = 10_000;

    /// <summary>
    /// At least one, at most <see cref="MaxCount"/>, no empty entry, no recipient key twice, and each entry checked by
    /// <paramref name="element"/>. Errors are reported on <c>wrappedKeys</c> (and <c>wrappedKeys[i].field</c>).
    /// </summary>
    public static void Apply<T, TKey>(AbstractValidator<T> validator, System.Linq.Expressions.Expression<Func<T, IEnumerable<TKey?>?>> list, IValidator<TKey?> element)
        where TKey : class, IWrapFields
    {
        validator.RuleFor(list)
            .NotEmpty().WithMessage("wrappedKeys must hold the file key wrapped for every member device key.")
            .Must(keys => keys is null || keys.Count() <= MaxCount).WithMessage($"wrappedKeys has more than {MaxCount} entries.")
            .Must(keys => keys is null || keys.All(k => k is not null)).WithMessage("wrappedKeys has an empty entry.")
            .Must(keys => keys is null || keys.Where(k => k is not null).Select(k => k!.RecipientKeyId).Distinct(StringComparer.Ordinal).Count() == keys.Count(k => k is not null))
            .WithMessage("wrappedKeys names a recipient key twice.")
            .OverridePropertyName("wrappedKeys");
        validator.RuleForEach<TKey?>(list!).SetValidator(element).OverridePropertyName("wrappedKeys");
    }
}

/// <summary>The rules of one wrapped key, the same for an upload's, a forward's and a share's.</summary>
public abstract class WrapFieldsValidator<T> : AbstractValidator<T?>
    where T : class, IWrapFields
{
    protected WrapFieldsValidator()
    {
        RuleFor(k => k).NotNull();
        RuleFor(k => k!.RecipientKeyId).KeyId("recipientKeyId").When(k => k is not null);
        RuleFor(k => k!.Enc).Must(e => Base64Url.TryDecode(e, out var b) && b.Length == WrappedKey.EncLength && P256PublicKey.IsValid(b))
            .WithMessage("enc must be a 65-byte P-256 point in unpadded base64url.").When(k => k is not null);
        RuleFor(k => k!.WrappedKey).Must(w => Base64Url.IsOfLength(w, WrappedKey.WrappedKeyLength))
            .WithMessage("wrappedKey must be 48 bytes in unpadded base64url.").When(k => k is not null);
    }
}

/// <summary>A wrap of an upload or a forward: the three fields, nothing more.</summary>
public sealed class WrappedKeyValidator : WrapFieldsValidator<UploadWrappedKey>;

/// <summary>A shared wrap: a well-formed wrap plus its signer's key id and 64-byte share signature, both required.</summary>
public sealed class SharedWrappedKeyValidator : WrapFieldsValidator<SharedWrappedKey>
{
    public SharedWrappedKeyValidator()
    {
        RuleFor(k => k!.SignerKeyId).Must(TextRules.IsKeyId)
            .WithMessage("signerKeyId is required: the 43-character key id of your certified device key that signed the share.").When(k => k is not null);
        RuleFor(k => k!.Signature).Must(s => Base64Url.IsOfLength(s, EcdsaSignature.Length))
            .WithMessage("signature is required: a 64-byte ECDSA P-256 share signature (IEEE P1363 r || s) in unpadded base64url.").When(k => k is not null);
    }
}
