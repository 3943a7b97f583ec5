using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hoomi.Infrastructure.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class QuotasAndRetention : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "reserved_at",
                table: "hoomis",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "reserved_bytes",
                table: "hoomis",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "storage_quota_bytes",
                table: "hoomis",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "used_bytes",
                table: "hoomis",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateIndex(
                name: "ix_media_deleted_at",
                table: "media",
                column: "deleted_at");

            migrationBuilder.CreateIndex(
                name: "ix_media_thumbnail_storage_key",
                table: "media",
                column: "thumbnail_storage_key");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_media_deleted_at",
                table: "media");

            migrationBuilder.DropIndex(
                name: "ix_media_thumbnail_storage_key",
                table: "media");

            migrationBuilder.DropColumn(
                name: "reserved_at",
                table: "hoomis");

            migrationBuilder.DropColumn(
                name: "reserved_bytes",
                table: "hoomis");

            migrationBuilder.DropColumn(
                name: "storage_quota_bytes",
                table: "hoomis");

            migrationBuilder.DropColumn(
                name: "used_bytes",
                table: "hoomis");
        }
    }
}
