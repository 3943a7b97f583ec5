using Hoomi.Domain.Hoomis;
using Hoomi.Domain.Keys;
using Hoomi.Domain.Media;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Hoomi.Infrastructure.Persistence.Configurations;

internal sealed class MediaItemConfiguration : IEntityTypeConfiguration<MediaItem>
{
    public void Configure(EntityTypeBuilder<MediaItem> builder)
    {
        builder.ToTable("media");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Id).ValueGeneratedNever();
        builder.Property(m => m.StorageKey).HasMaxLength(512).IsRequired();
        builder.Property(m => m.Sha256).HasMaxLength(64).IsFixedLength().IsRequired();
        builder.Property(m => m.MimeType).HasMaxLength(255).IsRequired();
        builder.Property(m => m.Scheme).HasMaxLength(32).IsRequired();
        builder.Property(m => m.EncryptedMetadata).HasMaxLength(16 * 1024);
        builder.Property(m => m.Header).HasMaxLength(Hme1Format.MaxHeaderLength);
        builder.Property(m => m.SenderKeyId).HasMaxLength(43);
        builder.Property(m => m.Signature).HasMaxLength(EcdsaSignature.Length);
        builder.Property(m => m.ThumbnailStorageKey).HasMaxLength(512);
        builder.Property(m => m.ThumbnailSha256).HasMaxLength(64).IsFixedLength();
        builder.HasOne<HoomiGroup>().WithMany().HasForeignKey(m => m.HoomiId).OnDelete(DeleteBehavior.Cascade);
        // The media list pages newest first by (created_at, id) within a hoomi.
        builder.HasIndex(m => new { m.HoomiId, m.CreatedAt, m.Id });
        // Forwarded items share blobs; the purge asks "does anyone else still use this key?".
        builder.HasIndex(m => m.StorageKey);
        builder.HasMany(m => m.WrappedKeys).WithOne().HasForeignKey(k => k.MediaId).OnDelete(DeleteBehavior.Cascade);
        builder.Navigation(m => m.WrappedKeys).UsePropertyAccessMode(PropertyAccessMode.Field);
        builder.Ignore(m => m.IsDeleted);
        builder.Ignore(m => m.HasThumbnail);
        builder.Ignore(m => m.StoredBytes);
        // The retention purge looks for deletions older than the window.
        builder.HasIndex(m => m.DeletedAt);
        builder.HasIndex(m => m.ThumbnailStorageKey);
    }
}
