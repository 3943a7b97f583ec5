using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hoomi.Infrastructure.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class TrustAndSignatures : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte[]>(
                name: "signature",
                table: "wrapped_keys",
                type: "bytea",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "signer_key_id",
                table: "wrapped_keys",
                type: "character varying(43)",
                maxLength: 43,
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "header",
                table: "media",
                type: "bytea",
                maxLength: 96,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "sender_key_id",
                table: "media",
                type: "character varying(43)",
                maxLength: 43,
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "signature",
                table: "media",
                type: "bytea",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "identity_key",
                table: "device_keys",
                type: "bytea",
                maxLength: 65,
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "signature",
                table: "device_keys",
                type: "bytea",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "signing_key",
                table: "device_keys",
                type: "bytea",
                maxLength: 65,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "signature",
                table: "wrapped_keys");

            migrationBuilder.DropColumn(
                name: "signer_key_id",
                table: "wrapped_keys");

            migrationBuilder.DropColumn(
                name: "header",
                table: "media");

            migrationBuilder.DropColumn(
                name: "sender_key_id",
                table: "media");

            migrationBuilder.DropColumn(
                name: "signature",
                table: "media");

            migrationBuilder.DropColumn(
                name: "identity_key",
                table: "device_keys");

            migrationBuilder.DropColumn(
                name: "signature",
                table: "device_keys");

            migrationBuilder.DropColumn(
                name: "signing_key",
                table: "device_keys");
        }
    }
}
