using System.Text;
using Hoomi.Application.Media.Queries.ListMedia;
using Hoomi.Domain.Common;

namespace Hoomi.Application.Tests.Media.Queries.ListMedia;

public sealed class MediaCursorTests
{
    private static string Encoded(string text) => Base64Url.Encode(Encoding.ASCII.GetBytes(text));

    public static IEnumerable<TestCaseData> Positions()
    {
        yield return new TestCaseData(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero), Guid.CreateVersion7());
        yield return new TestCaseData(new DateTimeOffset(2026, 11, 25, 12, 0, 0, 123, TimeSpan.Zero).AddTicks(4567), Guid.NewGuid());
        yield return new TestCaseData(DateTimeOffset.MinValue, Guid.Empty);
        yield return new TestCaseData(DateTimeOffset.MaxValue, Guid.Parse("ffffffff-ffff-ffff-ffff-ffffffffffff"));
    }

    [TestCaseSource(nameof(Positions))]
    public void A_formatted_cursor_parses_back_to_the_same_position(DateTimeOffset createdAt, Guid id)
    {
        var cursor = MediaCursor.Format(createdAt, id);
        Assert.Multiple(() =>
        {
            Assert.That(MediaCursor.TryParse(cursor, out var position), Is.True);
            Assert.That(position.CreatedAt, Is.EqualTo(createdAt));
            Assert.That(position.CreatedAt.UtcTicks, Is.EqualTo(createdAt.UtcTicks), "to the tick");
            Assert.That(position.Id, Is.EqualTo(id));
        });
    }

    [Test]
    public void A_time_with_an_offset_comes_back_as_the_same_instant_in_utc()
    {
        var local = new DateTimeOffset(2026, 11, 25, 14, 0, 0, TimeSpan.FromHours(2));
        var parsed = MediaCursor.TryParse(MediaCursor.Format(local, Guid.NewGuid()), out var position);
        Assert.Multiple(() =>
        {
            Assert.That(parsed, Is.True);
            Assert.That(position.CreatedAt, Is.EqualTo(local));
            Assert.That(position.CreatedAt.Offset, Is.EqualTo(TimeSpan.Zero));
        });
    }

    [Test]
    public void A_cursor_is_url_safe_and_unpadded() =>
        Assert.That(MediaCursor.Format(DateTimeOffset.UtcNow, Guid.NewGuid()), Does.Match("^[A-Za-z0-9_-]+$"));

    public static IEnumerable<TestCaseData> Garbage()
    {
        var id = Guid.NewGuid().ToString("N");
        var valid = MediaCursor.Format(DateTimeOffset.UnixEpoch, Guid.NewGuid());
        yield return new TestCaseData(null).SetName("A_null_cursor_is_refused");
        yield return new TestCaseData("").SetName("An_empty_cursor_is_refused");
        yield return new TestCaseData("!!!").SetName("A_cursor_that_is_not_base64url_is_refused");
        yield return new TestCaseData(valid + "=").SetName("A_padded_cursor_is_refused");
        yield return new TestCaseData(valid[..^1]).SetName("A_truncated_cursor_is_refused");
        yield return new TestCaseData(new string('A', 101)).SetName("A_cursor_longer_than_100_characters_is_refused");
        yield return new TestCaseData(Encoded("hello")).SetName("A_cursor_without_separator_is_refused");
        yield return new TestCaseData(Encoded("1:2:" + id)).SetName("A_cursor_with_three_parts_is_refused");
        yield return new TestCaseData(Encoded(":" + id)).SetName("A_cursor_without_ticks_is_refused");
        yield return new TestCaseData(Encoded("-1:" + id)).SetName("A_cursor_with_negative_ticks_is_refused");
        yield return new TestCaseData(Encoded("+1:" + id)).SetName("A_cursor_with_signed_ticks_is_refused");
        yield return new TestCaseData(Encoded(" 1:" + id)).SetName("A_cursor_with_spaces_is_refused");
        yield return new TestCaseData(Encoded((DateTimeOffset.MaxValue.UtcTicks + 1) + ":" + id)).SetName("A_cursor_past_the_latest_time_is_refused");
        yield return new TestCaseData(Encoded("99999999999999999999:" + id)).SetName("A_cursor_with_overflowing_ticks_is_refused");
        yield return new TestCaseData(Encoded("1:" + id[..31])).SetName("A_cursor_with_a_short_id_is_refused");
        yield return new TestCaseData(Encoded("1:" + Guid.NewGuid().ToString("D"))).SetName("A_cursor_with_a_hyphenated_id_is_refused");
        yield return new TestCaseData(Encoded("1:" + new string('z', 32))).SetName("A_cursor_with_a_non_hex_id_is_refused");
    }

    [TestCaseSource(nameof(Garbage))]
    public void Garbage_is_not_a_cursor(string? cursor)
    {
        Assert.Multiple(() =>
        {
            Assert.That(MediaCursor.TryParse(cursor, out var position), Is.False);
            Assert.That(position, Is.EqualTo(default((DateTimeOffset, Guid))));
        });
    }
}
