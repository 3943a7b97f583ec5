using Hoomi.Domain.Hoomis;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Hoomi.Infrastructure.Persistence.Configurations;

internal sealed class HoomiGroupConfiguration : IEntityTypeConfiguration<HoomiGroup>
{
    public void Configure(EntityTypeBuilder<HoomiGroup> builder)
    {
        builder.ToTable("hoomis");
        builder.HasKey(h => h.Id);
        builder.Property(h => h.Id).ValueGeneratedNever();
        builder.Property(h => h.Name).HasMaxLength(HoomiGroup.MaxNameLength).IsRequired();
        builder.HasMany(h => h.Members).WithOne().HasForeignKey(m => m.HoomiId).OnDelete(DeleteBehavior.Cascade);
        builder.Navigation(h => h.Members).UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}
