using Hoomi.Domain.Keys;
using Hoomi.Infrastructure.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Hoomi.Infrastructure.Persistence.Configurations;

internal sealed class DeviceKeyConfiguration : IEntityTypeConfiguration<DeviceKey>
{
    public void Configure(EntityTypeBuilder<DeviceKey> builder)
    {
        builder.ToTable("device_keys");
        builder.HasKey(k => k.KeyId);
        builder.Property(k => k.KeyId).HasMaxLength(43);
        builder.Property(k => k.PublicKey).HasMaxLength(P256PublicKey.Length).IsRequired();
        builder.Property(k => k.SigningKey).HasMaxLength(P256PublicKey.Length);
        builder.Property(k => k.IdentityKey).HasMaxLength(P256PublicKey.Length);
        builder.Property(k => k.Signature).HasMaxLength(EcdsaSignature.Length);
        builder.HasIndex(k => k.UserId);
        builder.HasOne<AppUser>().WithMany().HasForeignKey(k => k.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.Ignore(k => k.IsActive);
        builder.Ignore(k => k.IsCertified);
    }
}
