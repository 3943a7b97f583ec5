using System.Globalization;
using System.Text;
using Hoomi.Domain.Common;

namespace Hoomi.Application.Media.Queries.ListMedia;

/// <summary>The opaque list cursor: the (created at, id) of the last item of the previous page, base64url-encoded.</summary>
public static class MediaCursor
{
    public static string Format(DateTimeOffset createdAt, Guid id) =>
        Base64Url.Encode(Encoding.ASCII.GetBytes(createdAt.UtcTicks.ToString(CultureInfo.InvariantCulture) + ":" + id.ToString("N")));

    public static bool TryParse(string? cursor, out (DateTimeOffset CreatedAt, Guid Id) position)
    {
        position = default;
        if (string.IsNullOrEmpty(cursor) || cursor.Length > 100 || !Base64Url.TryDecode(cursor, out var bytes))
        {
            return false;
        }

        var parts = Encoding.ASCII.GetString(bytes).Split(':');
        if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks
            || !Guid.TryParseExact(parts[1], "N", out var id))
        {
            return false;
        }

        position = (new DateTimeOffset(ticks, TimeSpan.Zero), id);
        return true;
    }
}
