using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Hoomi.Infrastructure.Persistence;

public sealed class PostgresHoomiDbContext(DbContextOptions<PostgresHoomiDbContext> options) : HoomiDbContext(options)
{
    protected override bool IsUniqueViolation(DbUpdateException exception) =>
        exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}
