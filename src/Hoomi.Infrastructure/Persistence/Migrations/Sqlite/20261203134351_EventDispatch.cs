using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hoomi.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class EventDispatch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "dispatched_at",
                table: "hoomi_events",
                type: "INTEGER",
                nullable: true);

            // Rows journalled before this column existed were sent (or given up on) by the process that wrote them;
            // the background dispatcher must not replay the whole history after the upgrade.
            migrationBuilder.Sql("UPDATE hoomi_events SET dispatched_at = created_at;");

            migrationBuilder.CreateIndex(
                name: "ix_hoomi_events_undispatched",
                table: "hoomi_events",
                columns: new[] { "hoomi_id", "sequence" },
                filter: "dispatched_at IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_hoomi_events_undispatched",
                table: "hoomi_events");

            migrationBuilder.DropColumn(
                name: "dispatched_at",
                table: "hoomi_events");
        }
    }
}
