using Hoomi.Domain.Common;
using Hoomi.Domain.Hoomis;

namespace Hoomi.Domain.Tests.Hoomis;

public sealed class HoomiGroupTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private readonly Guid _owner = Guid.NewGuid();
    private readonly Guid _member = Guid.NewGuid();

    /// <summary>How a member joins: an owner's invitation, accepted.</summary>
    private static Membership Add(HoomiGroup hoomi, Guid userId, Guid invitedBy, DateTimeOffset now) =>
        hoomi.Join(hoomi.Invite(userId, invitedBy, now), now);

    private HoomiGroup NewHoomi() => HoomiGroup.Create(Guid.NewGuid(), "Family", _owner, Now);

    private HoomiGroup NewHoomiWithMember()
    {
        var hoomi = NewHoomi();
        Add(hoomi, _member, _owner, Now);
        return hoomi;
    }

    private static DomainException Refused(DomainErrorKind kind, string code, TestDelegate action)
    {
        var error = Assert.Throws<DomainException>(action)!;
        Assert.Multiple(() =>
        {
            Assert.That(error.Kind, Is.EqualTo(kind));
            Assert.That(error.Code, Is.EqualTo(code));
        });
        return error;
    }

    [Test]
    public void Creating_a_hoomi_makes_the_creator_its_only_member_and_owner()
    {
        var id = Guid.NewGuid();
        var hoomi = HoomiGroup.Create(id, "  Family  ", _owner, Now);

        Assert.Multiple(() =>
        {
            Assert.That(hoomi.Id, Is.EqualTo(id));
            Assert.That(hoomi.Name, Is.EqualTo("Family"), "the name is trimmed");
            Assert.That(hoomi.CreatedAt, Is.EqualTo(Now));
            Assert.That(hoomi.Members, Has.Count.EqualTo(1));
            Assert.That(hoomi.IsOwner(_owner), Is.True);
            Assert.That(hoomi.FindMember(_owner)!.HoomiId, Is.EqualTo(id));
            Assert.That(hoomi.FindMember(_owner)!.JoinedAt, Is.EqualTo(Now));
        });
    }

    [TestCase("")]
    [TestCase("   ")]
    [TestCase(null)]
    public void A_blank_name_is_refused(string? name) =>
        Refused(DomainErrorKind.Invalid, "invalid-name", () => HoomiGroup.Create(Guid.NewGuid(), name!, _owner, Now));

    [Test]
    public void A_name_longer_than_the_maximum_is_refused_and_the_maximum_is_accepted()
    {
        Refused(DomainErrorKind.Invalid, "invalid-name",
            () => HoomiGroup.Create(Guid.NewGuid(), new string('x', HoomiGroup.MaxNameLength + 1), _owner, Now));
        Assert.That(HoomiGroup.Create(Guid.NewGuid(), new string('x', HoomiGroup.MaxNameLength), _owner, Now).Name,
            Has.Length.EqualTo(HoomiGroup.MaxNameLength));
    }

    [Test]
    public void An_owner_adds_a_plain_member()
    {
        var hoomi = NewHoomi();
        var membership = Add(hoomi, _member, _owner, Now.AddMinutes(1));

        Assert.Multiple(() =>
        {
            Assert.That(membership.Role, Is.EqualTo(MemberRole.Member));
            Assert.That(membership.JoinedAt, Is.EqualTo(Now.AddMinutes(1)));
            Assert.That(hoomi.IsMember(_member), Is.True);
            Assert.That(hoomi.IsOwner(_member), Is.False);
        });
    }

    [Test]
    public void Adding_a_member_twice_is_a_conflict()
    {
        var hoomi = NewHoomiWithMember();
        Refused(DomainErrorKind.Conflict, "already-member", () => Add(hoomi, _member, _owner, Now));
        Refused(DomainErrorKind.Conflict, "already-member", () => Add(hoomi, _owner, _owner, Now));
        Assert.That(hoomi.Members, Has.Count.EqualTo(2));
    }

    [Test]
    public void Only_an_owner_may_add_members()
    {
        var hoomi = NewHoomiWithMember();
        Refused(DomainErrorKind.Forbidden, "owner-required", () => Add(hoomi, Guid.NewGuid(), _member, Now));
        Refused(DomainErrorKind.Forbidden, "owner-required", () => Add(hoomi, Guid.NewGuid(), Guid.NewGuid(), Now));
        Assert.That(hoomi.Members, Has.Count.EqualTo(2));
    }

    [Test]
    public void An_owner_removes_a_member()
    {
        var hoomi = NewHoomiWithMember();
        var removed = hoomi.RemoveMember(_member, _owner);

        Assert.That(removed.UserId, Is.EqualTo(_member));
        Assert.That(hoomi.IsMember(_member), Is.False);
    }

    [Test]
    public void A_member_leaves_by_removing_themselves()
    {
        var hoomi = NewHoomiWithMember();
        hoomi.RemoveMember(_member, _member);
        Assert.That(hoomi.IsMember(_member), Is.False);
    }

    [Test]
    public void A_member_who_is_not_owner_cannot_remove_someone_else()
    {
        var hoomi = NewHoomiWithMember();
        var third = Guid.NewGuid();
        Add(hoomi, third, _owner, Now);

        Refused(DomainErrorKind.Forbidden, "owner-required", () => hoomi.RemoveMember(third, _member));
        Refused(DomainErrorKind.Forbidden, "owner-required", () => hoomi.RemoveMember(_owner, _member));
        Assert.That(hoomi.Members, Has.Count.EqualTo(3));
    }

    [Test]
    public void Removing_someone_who_is_not_a_member_is_a_conflict()
    {
        var hoomi = NewHoomi();
        Refused(DomainErrorKind.Conflict, "not-a-member", () => hoomi.RemoveMember(Guid.NewGuid(), _owner));
    }

    [Test]
    public void The_last_owner_cannot_leave()
    {
        var hoomi = NewHoomiWithMember();
        Refused(DomainErrorKind.Conflict, "last-owner", () => hoomi.RemoveMember(_owner, _owner));
        Assert.That(hoomi.IsOwner(_owner), Is.True);
    }

    [Test]
    public void The_only_member_who_owns_the_hoomi_cannot_leave_either()
    {
        var hoomi = NewHoomi();
        Refused(DomainErrorKind.Conflict, "last-owner", () => hoomi.RemoveMember(_owner, _owner));
        Assert.That(hoomi.Members, Has.Count.EqualTo(1));
    }

    [Test]
    public void An_owner_may_leave_once_another_member_is_owner()
    {
        var hoomi = NewHoomiWithMember();
        hoomi.ChangeRole(_member, MemberRole.Owner, _owner);

        hoomi.RemoveMember(_owner, _owner);

        Assert.Multiple(() =>
        {
            Assert.That(hoomi.IsMember(_owner), Is.False);
            Assert.That(hoomi.IsOwner(_member), Is.True);
        });
    }

    [Test]
    public void One_of_two_owners_can_remove_the_other()
    {
        var hoomi = NewHoomiWithMember();
        hoomi.ChangeRole(_member, MemberRole.Owner, _owner);

        hoomi.RemoveMember(_owner, _member);
        Assert.That(hoomi.Members.Single().UserId, Is.EqualTo(_member));
    }

    [Test]
    public void The_last_owner_cannot_step_down_to_member()
    {
        var hoomi = NewHoomiWithMember();
        Refused(DomainErrorKind.Conflict, "last-owner", () => hoomi.ChangeRole(_owner, MemberRole.Member, _owner));
        Assert.That(hoomi.IsOwner(_owner), Is.True);
    }

    [Test]
    public void An_owner_steps_down_once_another_owner_exists()
    {
        var hoomi = NewHoomiWithMember();
        hoomi.ChangeRole(_member, MemberRole.Owner, _owner);
        hoomi.ChangeRole(_owner, MemberRole.Member, _owner);

        Assert.Multiple(() =>
        {
            Assert.That(hoomi.IsOwner(_owner), Is.False);
            Assert.That(hoomi.IsOwner(_member), Is.True);
        });
    }

    [Test]
    public void Only_an_owner_may_change_roles()
    {
        var hoomi = NewHoomiWithMember();
        Refused(DomainErrorKind.Forbidden, "owner-required", () => hoomi.ChangeRole(_member, MemberRole.Owner, _member));
        Assert.That(hoomi.IsOwner(_member), Is.False);
    }

    [Test]
    public void Changing_the_role_of_a_non_member_is_a_conflict()
    {
        var hoomi = NewHoomi();
        Refused(DomainErrorKind.Conflict, "not-a-member", () => hoomi.ChangeRole(Guid.NewGuid(), MemberRole.Owner, _owner));
    }

    [Test]
    public void Setting_the_same_role_on_the_last_owner_is_allowed()
    {
        var hoomi = NewHoomi();
        hoomi.ChangeRole(_owner, MemberRole.Owner, _owner);
        Assert.That(hoomi.IsOwner(_owner), Is.True);
    }

    [Test]
    public void An_invitation_makes_no_member_until_it_is_accepted()
    {
        var hoomi = NewHoomi();
        var invitation = hoomi.Invite(_member, _owner, Now);
        Assert.That(hoomi.IsMember(_member), Is.False);
        Assert.That((invitation.HoomiId, invitation.UserId, invitation.InvitedBy), Is.EqualTo((hoomi.Id, _member, _owner)));

        var membership = hoomi.Join(invitation, Now.AddMinutes(5));
        Assert.That(hoomi.IsMember(_member), Is.True);
        Assert.That((membership.Role, membership.JoinedAt), Is.EqualTo((MemberRole.Member, Now.AddMinutes(5))));
        Refused(DomainErrorKind.Conflict, "already-member", () => hoomi.Join(invitation, Now));
    }

    [Test]
    public void Only_an_owner_invites_whoever_the_invitee_is()
    {
        var hoomi = NewHoomiWithMember();
        Refused(DomainErrorKind.Forbidden, "owner-required", () => hoomi.EnsureCanInvite(_member));
        Refused(DomainErrorKind.Forbidden, "owner-required", () => hoomi.Invite(Guid.NewGuid(), _member, Now));
        Assert.DoesNotThrow(() => hoomi.EnsureCanInvite(_owner));
    }

    [Test]
    public void An_invitation_to_another_hoomi_cannot_be_used_here()
    {
        var other = NewHoomi();
        Assert.Throws<ArgumentException>(() => NewHoomi().Join(other.Invite(_member, _owner, Now), Now));
    }
}
