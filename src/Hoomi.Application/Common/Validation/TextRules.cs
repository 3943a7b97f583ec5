using FluentValidation;
using Hoomi.Domain.Common;

namespace Hoomi.Application.Common.Validation;

/// <summary>
/// The one set of rules for free text and identifiers that come from clients, shared by every validator, so that no field
/// can smuggle a line break into a header or a log line, or a direction override into a name another member reads.
/// <list type="bullet">
/// <item><see cref="PlainText{T}"/> for text people read (hoomi names, user names): any letter, digit, symbol or emoji,
/// but no control character (C0, DEL, C1: tab, CR and LF included), no line or paragraph separator, no bidirectional
/// embedding, override or isolate, no byte-order mark or noncharacter, no unpaired surrogate; at most a length.</item>
/// <item><see cref="HeaderSafe{T}"/> for values that may reach an HTTP header or a log (MIME types): printable ASCII only
/// (space to tilde).</item>
/// <item><see cref="KeyId{T}"/> for device key ids: 43 characters of unpadded base64url (a SHA-256 fingerprint).</item>
/// </list>
/// The checks are public so that code outside a validator (an entity, a claims mapper) can apply the same ones.
/// </summary>
public static class TextRules
{
    /// <summary>True when <paramref name="text"/> is plain text by the rules above (length aside).</summary>
    public static bool IsPlainText(string? text)
    {
        if (text is null)
        {
            return true;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return false;
                }

                // Plane noncharacters U+nFFFE and U+nFFFF.
                var codePoint = char.ConvertToUtf32(c, text[i + 1]);
                if ((codePoint & 0xFFFE) == 0xFFFE)
                {
                    return false;
                }

                i++;
                continue;
            }

            if (char.IsLowSurrogate(c) || char.IsControl(c) || IsForbiddenFormat(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when every character is printable ASCII (U+0020 to U+007E): nothing that could end a header line.</summary>
    public static bool IsHeaderSafe(string? text)
    {
        if (text is null)
        {
            return true;
        }

        foreach (var c in text)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Text people read: see <see cref="TextRules"/>; null passes (pair with NotEmpty where required).</summary>
    public static IRuleBuilderOptions<T, string?> PlainText<T>(this IRuleBuilder<T, string?> rule, string field, int maxLength) =>
        rule.Must(v => v is null || v.Length <= maxLength).WithMessage($"{field} has at most {maxLength} characters.")
            .Must(IsPlainText)
            .WithMessage($"{field} must not contain control characters, line breaks or bidirectional-override characters.");

    /// <summary>A value that may reach a header: printable ASCII, at most <paramref name="maxLength"/> characters; null passes.</summary>
    public static IRuleBuilderOptions<T, string?> HeaderSafe<T>(this IRuleBuilder<T, string?> rule, string field, int maxLength) =>
        rule.Must(v => v is null || v.Length <= maxLength).WithMessage($"{field} has at most {maxLength} characters.")
            .Must(IsHeaderSafe).WithMessage($"{field} must be printable ASCII: no control characters or line breaks.");

    /// <summary>A device key id: the 43-character unpadded base64url SHA-256 fingerprint of the key.</summary>
    public static IRuleBuilderOptions<T, string?> KeyId<T>(this IRuleBuilder<T, string?> rule, string field) =>
        rule.Must(IsKeyId).WithMessage($"{field} must be a 43-character key id (unpadded base64url).");

    /// <summary>A 43-character unpadded base64url string of 32 bytes.</summary>
    public static bool IsKeyId(string? id) => id is { Length: 43 } && Base64Url.IsOfLength(id, 32);

    /// <summary>Format characters that change how surrounding text is shown or read, and never belong in a name.</summary>
    private static bool IsForbiddenFormat(char c) => c switch
    {
        '\u061C' or '\u200E' or '\u200F' => true,          // Arabic letter mark, left-to-right and right-to-left marks
        >= '\u202A' and <= '\u202E' => true,              // embeddings and overrides (LRE, RLE, PDF, LRO, RLO)
        >= '\u2066' and <= '\u2069' => true,              // isolates (LRI, RLI, FSI, PDI)
        '\u2028' or '\u2029' => true,                     // line and paragraph separators
        '\uFEFF' or '\uFFFE' or '\uFFFF' => true,         // byte-order mark, noncharacters
        >= '\uFDD0' and <= '\uFDEF' => true,              // noncharacters
        _ => false,
    };
}
