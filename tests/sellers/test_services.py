"""Every refusal of the seller services: its code, its field, and no change in the database."""

import pytest
from django.db.models import QuerySet

from market.core.errors import DomainError
from market.sellers import services
from market.sellers.models import Seller, SellerEvent, SellerStatus
from tests.concurrency import domain_outcomes, race
from tests.factories import StaffFactory, UserFactory
from tests.sellers.helpers import application, snapshot, with_document

pytestmark = pytest.mark.django_db


def refused(call, **kwargs) -> DomainError:
    """Calls a service that must refuse; returns its error after checking nothing changed."""
    before = snapshot()
    with pytest.raises(DomainError) as caught:
        call(**kwargs)
    assert snapshot() == before
    return caught.value


def create_kwargs(user, **overrides) -> dict:
    values = dict(
        user=user,
        name="Shirvan Looms",
        bio="Carpets.",
        discipline="crafts",
        resident_programme="Crafts residency",
        membership_number="RC-1",
        city="Baku",
        country="AZ",
        contact_email="",
        contact_phone="+994 50 123 45 67",
    )
    values.update(overrides)
    return values


def test_create_makes_a_draft_owned_by_the_user_with_an_event():
    user = UserFactory(email="nigar@example.com")

    seller = services.seller_application_create(**create_kwargs(user, discipline=" CRAFTS "))

    assert (seller.user, seller.status, seller.discipline, seller.contact_email) == (
        user,
        SellerStatus.DRAFT,
        "crafts",
        "nigar@example.com",
    )
    assert list(seller.events.values_list("kind", "to_status", "actor")) == [
        ("created", "draft", user.pk)
    ]


def test_create_gives_each_studio_a_unique_slug():
    services.seller_application_create(**create_kwargs(UserFactory()))
    services.seller_application_create(**create_kwargs(UserFactory()))

    third = services.seller_application_create(**create_kwargs(UserFactory()))

    assert third.slug == "shirvan-looms-3"


def test_a_user_applies_only_once():
    user = UserFactory()
    services.seller_application_create(**create_kwargs(user))

    error = refused(services.seller_application_create, **create_kwargs(user, name="Another"))

    assert error.code == "already_applied"


def test_an_unknown_discipline_is_refused_with_the_allowed_ones():
    error = refused(
        services.seller_application_create, **create_kwargs(UserFactory(), discipline="pottery")
    )

    assert (error.code, error.field) == ("unknown_discipline", "discipline")
    assert error.message == (
        "Unknown discipline 'pottery'; choose one of: music, game_tech, culture_tech, crafts, "
        "design, film_animation, visual_arts, fashion."
    )


@pytest.mark.parametrize("country", ["XX", "AZE", "", "1"])
def test_a_country_must_be_an_iso_alpha_2_code(country):
    error = refused(
        services.seller_application_create, **create_kwargs(UserFactory(), country=country)
    )

    assert (error.code, error.field) == ("unknown_country", "country")


@pytest.mark.parametrize(
    ("field", "api_name", "value"),
    [
        ("name", "name", "   "),
        ("name", "name", "x" * 121),
        ("contact_email", "contactEmail", "not-an-address"),
        ("contact_phone", "contactPhone", "call me maybe"),
    ],
)
def test_malformed_application_fields_are_refused(field, api_name, value):
    error = refused(
        services.seller_application_create, **create_kwargs(UserFactory(), **{field: value})
    )

    assert (error.code, error.field) == ("invalid", api_name)


@pytest.mark.parametrize(
    "status", [SellerStatus.SUBMITTED, SellerStatus.APPROVED, SellerStatus.SUSPENDED]
)
def test_an_application_under_review_or_decided_cannot_be_edited(status):
    seller = application(user=UserFactory(), status=status)

    error = refused(
        services.seller_application_update, seller=seller, actor=seller.user, city="Ganja"
    )

    assert error.code == "invalid_transition"


def test_update_records_only_the_fields_that_changed():
    seller = application(user=UserFactory(), city="Baku", bio="Old")

    services.seller_application_update(seller=seller, actor=seller.user, city="Baku", bio="New")

    assert list(SellerEvent.objects.values_list("kind", "note")) == [("updated", "Changed: bio")]


def test_submitting_needs_a_verified_email():
    seller = application(user=UserFactory(is_email_verified=False))
    with_document(seller)

    error = refused(services.seller_application_submit, seller=seller, actor=seller.user)

    assert error.code == "email_not_verified"


@pytest.mark.parametrize(
    ("field", "api_name"),
    [
        ("bio", "bio"),
        ("resident_programme", "residentProgramme"),
        ("membership_number", "membershipNumber"),
        ("city", "city"),
        ("contact_email", "contactEmail"),
        ("contact_phone", "contactPhone"),
    ],
)
def test_submitting_needs_every_required_field(field, api_name):
    seller = application(user=UserFactory(), **{field: ""})
    with_document(seller)

    error = refused(services.seller_application_submit, seller=seller, actor=seller.user)

    assert (error.code, error.field) == ("incomplete_application", api_name)


def test_submitting_needs_a_document():
    seller = application(user=UserFactory())

    error = refused(services.seller_application_submit, seller=seller, actor=seller.user)

    assert (error.code, error.field) == ("incomplete_application", "documents")


@pytest.mark.parametrize(
    "status", [SellerStatus.SUBMITTED, SellerStatus.APPROVED, SellerStatus.SUSPENDED]
)
def test_only_a_draft_or_rejected_application_can_be_submitted(status):
    seller = application(user=UserFactory(), status=status)
    with_document(seller)

    error = refused(services.seller_application_submit, seller=seller, actor=seller.user)

    assert error.code == "invalid_transition"


ILLEGAL_DECISIONS = [
    (SellerStatus.DRAFT, "approve"),
    (SellerStatus.REJECTED, "approve"),
    (SellerStatus.APPROVED, "approve"),
    (SellerStatus.SUSPENDED, "approve"),
    (SellerStatus.DRAFT, "reject"),
    (SellerStatus.APPROVED, "reject"),
    (SellerStatus.REJECTED, "reject"),
    (SellerStatus.SUSPENDED, "reject"),
    (SellerStatus.DRAFT, "suspend"),
    (SellerStatus.SUBMITTED, "suspend"),
    (SellerStatus.REJECTED, "suspend"),
    (SellerStatus.SUSPENDED, "suspend"),
    (SellerStatus.DRAFT, "reinstate"),
    (SellerStatus.SUBMITTED, "reinstate"),
    (SellerStatus.REJECTED, "reinstate"),
    (SellerStatus.APPROVED, "reinstate"),
]


def decide(decision: str, seller_id: int, actor):
    if decision == "approve":
        return services.seller_application_approve(seller_id=seller_id, actor=actor)
    if decision == "reject":
        return services.seller_application_reject(seller_id=seller_id, actor=actor, reason="No.")
    if decision == "suspend":
        return services.seller_suspend(seller_id=seller_id, actor=actor, reason="No.")
    return services.seller_reinstate(seller_id=seller_id, actor=actor)


@pytest.mark.parametrize(("status", "decision"), ILLEGAL_DECISIONS)
def test_an_illegal_decision_is_refused_and_changes_nothing(status, decision):
    seller = application(user=UserFactory(), status=status)
    staff = StaffFactory()

    error = refused(decide, decision=decision, seller_id=seller.pk, actor=staff)

    assert error.code == "invalid_transition"


@pytest.mark.parametrize("decision", ["reject", "suspend"])
@pytest.mark.parametrize("reason", ["", "   "])
def test_rejecting_and_suspending_need_a_reason(decision, reason):
    status = SellerStatus.SUBMITTED if decision == "reject" else SellerStatus.APPROVED
    seller = application(user=UserFactory(), status=status)
    call = services.seller_application_reject if decision == "reject" else services.seller_suspend

    error = refused(call, seller_id=seller.pk, actor=StaffFactory(), reason=reason)

    assert (error.code, error.field) == ("reason_required", "reason")


def test_deciding_on_a_missing_seller_answers_not_found():
    error = refused(services.seller_application_approve, seller_id=999_999, actor=StaffFactory())

    assert (error.code, error.field) == ("not_found", "id")


def test_a_decision_on_a_status_changed_meanwhile_loses_the_compare_and_set(monkeypatch):
    """Given a reviewer who read the application as submitted while another reviewer approved
    it, the late rejection finds no row in the status it read and is refused."""
    seller = application(user=UserFactory(), status=SellerStatus.SUBMITTED)
    stale = Seller.objects.get(pk=seller.pk)
    Seller.objects.filter(pk=seller.pk).update(status=SellerStatus.APPROVED)
    monkeypatch.setattr(QuerySet, "first", lambda self: stale)

    error = refused(
        services.seller_application_reject,
        seller_id=seller.pk,
        actor=StaffFactory(),
        reason="Too late.",
    )

    monkeypatch.undo()
    assert error.code == "invalid_transition"
    assert Seller.objects.get(pk=seller.pk).status == SellerStatus.APPROVED
    assert SellerEvent.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_deciding_at_once_cannot_both_win():
    seller = application(user=UserFactory(), status=SellerStatus.SUBMITTED)
    staff = StaffFactory()

    def deciding(decision):
        def call():
            decide(decision, seller.pk, staff)
            return decision

        return call

    outcomes = domain_outcomes(race(deciding("approve"), deciding("reject"), timeout=5))

    assert sorted(outcomes) in (["approve", "invalid_transition"], ["invalid_transition", "reject"])
    assert SellerEvent.objects.filter(seller=seller).count() == 1


def test_the_transition_table_allows_exactly_the_review_moves():
    assert {status: sorted(targets) for status, targets in services.SELLER_TRANSITIONS.items()} == {
        "draft": ["submitted"],
        "submitted": ["approved", "rejected"],
        "rejected": ["submitted"],
        "approved": ["suspended"],
        "suspended": ["approved"],
    }
