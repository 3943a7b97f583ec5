using Hoomi.Application.Media.Queries.ListMedia;

namespace Hoomi.Application.Tests.Media.Queries.ListMedia;

public sealed class ListMediaQueryValidatorTests
{
    private readonly ListMediaQueryValidator _validator = new();

    private string[] FieldsAtFault(ListMediaQuery query) => _validator.Validate(query).Errors.Select(e => e.PropertyName).Distinct().ToArray();

    [TestCase(1)]
    [TestCase(ListMediaQuery.DefaultLimit)]
    [TestCase(ListMediaQuery.MaxLimit)]
    public void A_limit_from_1_to_the_maximum_is_valid(int limit) =>
        Assert.That(FieldsAtFault(new ListMediaQuery(Guid.NewGuid(), null, limit)), Is.Empty);

    [TestCase(0)]
    [TestCase(-1)]
    [TestCase(ListMediaQuery.MaxLimit + 1)]
    [TestCase(int.MaxValue)]
    public void A_limit_outside_1_to_the_maximum_is_refused(int limit) =>
        Assert.That(FieldsAtFault(new ListMediaQuery(Guid.NewGuid(), null, limit)), Is.EqualTo(new[] { "Limit" }));

    [Test]
    public void The_default_limit_is_within_range() =>
        Assert.That(FieldsAtFault(new ListMediaQuery(Guid.NewGuid(), null)), Is.Empty);

    [Test]
    public void A_cursor_this_service_returned_is_valid() =>
        Assert.That(FieldsAtFault(new ListMediaQuery(Guid.NewGuid(), MediaCursor.Format(DateTimeOffset.UtcNow, Guid.NewGuid()))), Is.Empty);

    [TestCase("")]
    [TestCase("garbage")]
    [TestCase("MTIzNDU")]
    public void A_cursor_this_service_did_not_return_is_refused(string cursor) =>
        Assert.That(FieldsAtFault(new ListMediaQuery(Guid.NewGuid(), cursor)), Is.EqualTo(new[] { "Cursor" }));
}
