using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hoomi.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class HoomiEvents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "hoomi_events",
                columns: table => new
                {
                    hoomi_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    type = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    payload = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_hoomi_events", x => new { x.hoomi_id, x.sequence });
                    table.ForeignKey(
                        name: "fk_hoomi_events_hoomis_hoomi_id",
                        column: x => x.hoomi_id,
                        principalTable: "hoomis",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "hoomi_events");
        }
    }
}
