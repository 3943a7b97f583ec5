using Hoomi.Domain.Events;
using Hoomi.Domain.Hoomis;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Hoomi.Infrastructure.Persistence.Configurations;

internal sealed class HoomiEventConfiguration : IEntityTypeConfiguration<HoomiEvent>
{
    public void Configure(EntityTypeBuilder<HoomiEvent> builder)
    {
        builder.ToTable("hoomi_events");

        // The key doubles as the catch-up index (hoomi, then sequence) and, being unique, is what makes two
        // writers racing for the same next number collide instead of both succeeding.
        builder.HasKey(e => new { e.HoomiId, e.Sequence });
        builder.Property(e => e.Sequence).ValueGeneratedNever();
        builder.Property(e => e.Type).HasMaxLength(HoomiEvent.MaxTypeLength).IsRequired();
        builder.Property(e => e.Payload).IsRequired();
        // What the background dispatcher looks for: the few rows not yet sent live (partial, so it stays small).
        builder.HasIndex(e => new { e.HoomiId, e.Sequence }).HasDatabaseName("ix_hoomi_events_undispatched").HasFilter("dispatched_at IS NULL");
        builder.HasOne<HoomiGroup>().WithMany().HasForeignKey(e => e.HoomiId).OnDelete(DeleteBehavior.Cascade);
    }
}
