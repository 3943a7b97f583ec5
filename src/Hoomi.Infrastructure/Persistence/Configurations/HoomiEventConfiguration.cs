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
        builder.HasOne<HoomiGroup>().WithMany().HasForeignKey(e => e.HoomiId).OnDelete(DeleteBehavior.Cascade);
    }
}
