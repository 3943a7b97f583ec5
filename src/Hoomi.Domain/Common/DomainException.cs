namespace Hoomi.Domain.Common;

/// <summary>What kind of rule a domain operation broke; the API turns each kind into one status.</summary>
public enum DomainErrorKind
{
    /// <summary>The input itself is not acceptable (a malformed key, an empty name).</summary>
    Invalid,

    /// <summary>The input is fine but clashes with the current state (already a member, the last owner).</summary>
    Conflict,

    /// <summary>The caller is known to the aggregate but lacks the right (a member acting as owner).</summary>
    Forbidden,
}

/// <summary>An invariant of the domain refused an operation. <see cref="Code"/> is stable and machine-readable.</summary>
public sealed class DomainException(DomainErrorKind kind, string code, string message) : Exception(message)
{
    public DomainErrorKind Kind { get; } = kind;

    public string Code { get; } = code;

    public static DomainException Invalid(string code, string message) => new(DomainErrorKind.Invalid, code, message);

    public static DomainException Conflict(string code, string message) => new(DomainErrorKind.Conflict, code, message);

    public static DomainException Forbidden(string code, string message) => new(DomainErrorKind.Forbidden, code, message);
}
