using Hoomi.Application.Common.Interfaces;
using Hoomi.Application.Users.Queries.GetMe;
using Moq;

namespace Hoomi.Application.Tests.Users;

public sealed class GetMeQueryHandlerTests
{
    [Test]
    public async Task Me_is_the_current_users_id_and_name()
    {
        var id = Guid.NewGuid();
        var user = new Mock<ICurrentUser>();
        user.SetupGet(u => u.Id).Returns(id);
        user.SetupGet(u => u.UserName).Returns("alice@example.com");

        var me = await new GetMeQueryHandler(user.Object).Handle(new GetMeQuery(), CancellationToken.None);

        Assert.That(me, Is.EqualTo(new MeDto(id, "alice@example.com")));
    }

    [Test]
    public void An_unauthenticated_caller_is_not_answered()
    {
        var user = new Mock<ICurrentUser>();
        user.SetupGet(u => u.Id).Throws(new UnauthorizedAccessException());

        Assert.ThrowsAsync<UnauthorizedAccessException>(async () => await new GetMeQueryHandler(user.Object).Handle(new GetMeQuery(), CancellationToken.None));
    }
}
