using Hoomi.Domain.Keys;
using Hoomi.Domain.Media;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Hoomi.Infrastructure.Persistence.Configurations;

internal sealed class WrappedKeyConfiguration : IEntityTypeConfiguration<WrappedKey>
{
    public void Configure(EntityTypeBuilder<WrappedKey> builder)
    {
        builder.ToTable("wrapped_keys");
        builder.HasKey(k => new { k.MediaId, k.RecipientKeyId });
        builder.Property(k => k.RecipientKeyId).HasMaxLength(43);
        builder.Property(k => k.Enc).HasMaxLength(WrappedKey.EncLength).IsRequired();
        builder.Property(k => k.Key).HasMaxLength(WrappedKey.WrappedKeyLength).IsRequired();
        builder.Property(k => k.SignerKeyId).HasMaxLength(43);
        builder.Property(k => k.Signature).HasMaxLength(EcdsaSignature.Length);
        // "Which media can this user open?" is asked per user on every info request.
        builder.HasIndex(k => k.RecipientUserId);
    }
}
