"""Seller applications and staff review.

A maker applies (a draft shop), edits it and attaches documents, then submits it; staff approve
or reject it, and later may suspend and reinstate the shop. Every status change follows
``SELLER_TRANSITIONS`` as a compare-and-set on the status column and writes a ``SellerEvent``
in the same transaction; the applicant hears of each staff decision by e-mail after commit.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django_countries import countries

from market.core.catalogue_cache import catalogue_changed
from market.core.emails import email_enqueue
from market.core.errors import DomainError, require_choice
from market.core.images import TooManyPixels, UnreadableImage, image_verified_extension
from market.core.state_machine import Outcome, transition
from market.core.storage import generated_name
from market.sellers.error_codes import SellerErrorCode
from market.sellers.models import (
    Discipline,
    Seller,
    SellerDocument,
    SellerDocumentKind,
    SellerEvent,
    SellerEventKind,
    SellerStatus,
)

if TYPE_CHECKING:
    from market.accounts.models import User

S = SellerStatus

# The only moves a seller's status may make; anything else is `invalid_transition`.
SELLER_TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.APPROVED, S.REJECTED}),
    S.REJECTED: frozenset({S.SUBMITTED}),
    S.APPROVED: frozenset({S.SUSPENDED}),
    S.SUSPENDED: frozenset({S.APPROVED}),
}

# An application can be edited (fields and documents) only while nobody is reviewing it.
EDITABLE_STATUSES = frozenset({S.DRAFT, S.REJECTED})

# The application fields, their API names (for `DomainError.field`) and length limits.
APPLICATION_FIELDS: dict[str, tuple[str, int]] = {
    "name": ("name", 120),
    "bio": ("bio", 5000),
    "discipline": ("discipline", 32),
    "resident_programme": ("residentProgramme", 120),
    "membership_number": ("membershipNumber", 64),
    "city": ("city", 80),
    "country": ("country", 2),
    "contact_email": ("contactEmail", 254),
    "contact_phone": ("contactPhone", 32),
}

# What staff need before they can review an application.
REQUIRED_FOR_SUBMISSION = (
    "name",
    "bio",
    "discipline",
    "resident_programme",
    "membership_number",
    "city",
    "country",
    "contact_email",
    "contact_phone",
)

# Document formats we accept, recognised by their first bytes (never by the file name).
_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)

_PHONE_CHARACTERS = set("0123456789+-() ")


# --- validation -------------------------------------------------------------------------------


def _error(code: SellerErrorCode, message: str, field: str | None = None) -> DomainError:
    return DomainError(code, message, field=field)


def _clean_discipline(value: str) -> str:
    cleaned = (value or "").strip().lower()
    if cleaned not in Discipline.values:
        require_choice(
            value, Discipline, code=SellerErrorCode.UNKNOWN_DISCIPLINE, field="discipline"
        )
    return cleaned


def _clean_country(value: str) -> str:
    code = (value or "").strip().upper()
    if len(code) != 2 or code not in countries:
        raise _error(
            SellerErrorCode.UNKNOWN_COUNTRY,
            f"{value!r} is not an ISO 3166-1 alpha-2 country code.",
            "country",
        )
    return code


def _clean_application_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Strip, check lengths and formats; the result is ready to store."""
    unknown = set(fields) - set(APPLICATION_FIELDS)
    if unknown:
        raise _error(
            SellerErrorCode.INVALID, f"Not an application field: {', '.join(sorted(unknown))}."
        )
    cleaned = {}
    for name, value in fields.items():
        api_name, max_length = APPLICATION_FIELDS[name]
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise _error(SellerErrorCode.INVALID, f"'{api_name}' must be text.", api_name)
        value = value.strip()
        if len(value) > max_length and name not in ("discipline", "country"):
            raise _error(
                SellerErrorCode.INVALID,
                f"'{api_name}' is limited to {max_length} characters.",
                api_name,
            )
        if name == "discipline":
            value = _clean_discipline(value)
        elif name == "country":
            value = _clean_country(value)
        elif name == "name" and not value:
            raise _error(SellerErrorCode.INVALID, "A studio name is required.", api_name)
        elif name == "contact_email" and value:
            try:
                validate_email(value)
            except ValidationError:
                raise _error(
                    SellerErrorCode.INVALID, f"{value!r} is not an e-mail address.", api_name
                ) from None
        elif (
            name == "contact_phone"
            and value
            and not (set(value) <= _PHONE_CHARACTERS and sum(c.isdigit() for c in value) >= 6)
        ):
            raise _error(
                SellerErrorCode.INVALID,
                "A phone number holds digits, spaces, '+', '-' and brackets.",
                api_name,
            )
        cleaned[name] = value
    return cleaned


def _unique_slug(name: str) -> str:
    base = (slugify(name) or "seller")[:120].strip("-") or "seller"
    taken = set(Seller.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


# --- the applicant ----------------------------------------------------------------------------


def _event(
    *,
    seller: Seller,
    kind: SellerEventKind,
    actor: User | None,
    note: str = "",
    from_status: str = "",
    to_status: str = "",
) -> SellerEvent:
    return SellerEvent.objects.create(
        seller=seller,
        kind=kind,
        actor=actor,
        note=note,
        from_status=from_status,
        to_status=to_status,
    )


def _lock_editable(seller: Seller) -> Seller:
    """The seller's row, locked until commit, provided its application may still change."""
    locked = Seller.objects.select_for_update().filter(pk=seller.pk).first()
    if locked is None:
        raise _error(SellerErrorCode.NOT_FOUND, "No such seller.")
    if locked.status not in EDITABLE_STATUSES:
        raise _error(
            SellerErrorCode.INVALID_TRANSITION,
            f"An application that is {locked.get_status_display().lower()} cannot be changed.",
        )
    return locked


@transaction.atomic
def seller_application_create(
    *,
    user: User,
    name: str,
    discipline: str,
    bio: str = "",
    resident_programme: str = "",
    membership_number: str = "",
    city: str = "",
    country: str = "AZ",
    contact_email: str = "",
    contact_phone: str = "",
) -> Seller:
    """Open a draft application: one shop per user, a unique slug from the studio name."""
    if Seller.objects.filter(user=user).exists():
        raise _error(SellerErrorCode.ALREADY_APPLIED, "You have already applied.")
    fields = _clean_application_fields(
        dict(
            name=name,
            bio=bio,
            discipline=discipline,
            resident_programme=resident_programme,
            membership_number=membership_number,
            city=city,
            country=country,
            contact_email=contact_email or user.email,
            contact_phone=contact_phone,
        )
    )
    # Two requests can race: the user's other request takes the row (already applied), or
    # another studio of the same name takes the slug (try the next free one).
    for attempt in range(5):
        try:
            with transaction.atomic():
                seller = Seller.objects.create(
                    user=user, slug=_unique_slug(fields["name"]), status=S.DRAFT, **fields
                )
            break
        except IntegrityError:
            if Seller.objects.filter(user=user).exists():
                raise _error(SellerErrorCode.ALREADY_APPLIED, "You have already applied.") from None
            if attempt == 4:
                raise
    _event(seller=seller, kind=SellerEventKind.CREATED, actor=user, to_status=S.DRAFT)
    return seller


@transaction.atomic
def seller_application_update(*, seller: Seller, actor: User, **fields: Any) -> Seller:
    """Change application fields; only a draft or a rejected application may change. The slug
    stays as created, so links to the shop never break."""
    cleaned = _clean_application_fields(fields)
    locked = _lock_editable(seller)
    changed = [name for name, value in cleaned.items() if getattr(locked, name) != value]
    if changed:
        for name in changed:
            setattr(locked, name, cleaned[name])
        locked.save(update_fields=changed)
        _event(
            seller=locked,
            kind=SellerEventKind.UPDATED,
            actor=actor,
            note="Changed: " + ", ".join(APPLICATION_FIELDS[n][0] for n in changed),
        )
    return locked


def _detect_document_type(head: bytes) -> tuple[str, str] | None:
    for signature, content_type, extension in _SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    return None


def _check_scanned_document(data: bytes) -> None:
    """A JPEG or PNG must be a sound image within the pixel budget: staff open it, and a few
    KB may declare a picture that needs gigabytes once decoded."""
    try:
        image_verified_extension(data)
    except TooManyPixels as exc:
        raise _error(
            SellerErrorCode.IMAGE_TOO_MANY_PIXELS,
            f"Scanned documents may have at most {exc.limit} pixels (width × height).",
            "file",
        ) from exc
    except UnreadableImage as exc:
        raise _error(
            SellerErrorCode.INVALID_DOCUMENT_TYPE,
            "Documents must be PDF, JPEG or PNG files.",
            "file",
        ) from exc


@transaction.atomic
def seller_document_add(
    *, seller: Seller, actor: User, upload: UploadedFile | ContentFile[bytes], kind: str
) -> SellerDocument:
    """Attach a PDF, JPEG or PNG (recognised from its content) of at most
    ``MARKET_MAX_DOCUMENT_BYTES`` to a draft or rejected application."""
    require_choice(
        kind, SellerDocumentKind, code=SellerErrorCode.INVALID, field="kind", what="document kind"
    )
    limit = settings.MARKET_MAX_DOCUMENT_BYTES
    if upload.size is None or upload.size > limit:
        raise _error(
            SellerErrorCode.DOCUMENT_TOO_LARGE, f"Documents may be at most {limit} bytes.", "file"
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _error(
            SellerErrorCode.DOCUMENT_TOO_LARGE, f"Documents may be at most {limit} bytes.", "file"
        )
    detected = _detect_document_type(data)
    if detected is None:
        raise _error(
            SellerErrorCode.INVALID_DOCUMENT_TYPE,
            "Documents must be PDF, JPEG or PNG files.",
            "file",
        )
    if detected[0] != "application/pdf":
        _check_scanned_document(data)
    content_type, extension = detected
    locked = _lock_editable(seller)
    original_name = PurePosixPath((upload.name or "").replace("\\", "/")).name[:255]
    document = SellerDocument(
        seller=locked,
        kind=kind,
        content_type=content_type,
        size_bytes=len(data),
        original_name=original_name,
    )
    # The stored name is ours: a maker's file name never becomes a path on our disk.
    document.file.save(generated_name(extension), ContentFile(data), save=False)
    stored = document.file.name
    try:
        document.save()
        _event(
            seller=locked,
            kind=SellerEventKind.DOCUMENT_ADDED,
            actor=actor,
            note=f"{document.get_kind_display()}: {original_name}",
        )
    except Exception:
        # No row points at the file: do not keep it.
        document.file.storage.delete(stored)
        raise
    return document


@transaction.atomic
def seller_document_remove(*, seller: Seller, actor: User, document_id: int) -> None:
    """Remove one of the seller's own documents while the application may change; someone
    else's document answers exactly like a missing one."""
    locked = _lock_editable(seller)
    document = SellerDocument.objects.filter(seller=locked, pk=document_id).first()
    if document is None:
        raise _error(SellerErrorCode.NOT_FOUND, "No such document.", "id")
    storage, name = document.file.storage, document.file.name
    note = f"{document.get_kind_display()}: {document.original_name}"
    document.delete()
    _event(seller=locked, kind=SellerEventKind.DOCUMENT_REMOVED, actor=actor, note=note)
    transaction.on_commit(lambda: storage.delete(name))


# --- status changes ---------------------------------------------------------------------------


def _transition(
    *,
    seller_id: int,
    from_status: str,
    to_status: str,
    kind: SellerEventKind,
    actor: User,
    note: str = "",
    **updates: Any,
) -> Seller:
    """Move a seller from ``from_status`` to ``to_status`` (a move ``SELLER_TRANSITIONS``
    allows) with a compare-and-set, plus its event. The caller names the source status because
    one target is reached by different decisions (approving a submission, reinstating a
    suspended shop), and each is legal only from its own source."""
    seller = Seller.objects.filter(pk=seller_id).select_related("user").first()
    if seller is None:
        raise _error(SellerErrorCode.NOT_FOUND, "No such seller.", "id")
    # Someone else may have moved it since we read it: only the request that finds the status
    # it read wins.
    outcome = (
        transition(
            Seller.objects,
            pk=seller_id,
            table=SELLER_TRANSITIONS,
            source=from_status,
            to=to_status,
            updates=updates,
            event=lambda old, new: _event(
                seller=seller, kind=kind, actor=actor, note=note, from_status=old, to_status=new
            ),
        )
        if seller.status == from_status
        else Outcome.NOT_ALLOWED
    )
    if outcome is Outcome.NOT_ALLOWED:
        raise _error(
            SellerErrorCode.INVALID_TRANSITION,
            f"A seller that is {seller.get_status_display().lower()} cannot be "
            f"{SellerEventKind(kind).label.lower()}.",
        )
    if outcome is Outcome.LOST_RACE:
        raise _error(
            SellerErrorCode.INVALID_TRANSITION,
            "The seller's status changed meanwhile; reload and try again.",
        )
    # A shop opening or closing adds or removes its listings and its name everywhere.
    catalogue_changed(listings=True)
    seller.refresh_from_db()
    return seller


def _required_reason(reason: str | None) -> str:
    cleaned = (reason or "").strip()
    if not cleaned:
        raise _error(SellerErrorCode.REASON_REQUIRED, "Give the applicant a reason.", "reason")
    if len(cleaned) > 2000:
        raise _error(SellerErrorCode.INVALID, "A reason is limited to 2000 characters.", "reason")
    return cleaned


def _notify(seller: Seller, *, subject: str, body: str) -> None:
    to = seller.user.email if seller.user is not None else seller.contact_email
    if to:
        email_enqueue(to=to, subject=subject, body=body)


@transaction.atomic
def seller_application_submit(*, seller: Seller, actor: User) -> Seller:
    """Hand a draft or rejected application to staff: the applicant's e-mail must be verified,
    every required field filled and at least one document attached."""
    # Locked so that no document is removed between the checks below and the status change.
    current = (
        Seller.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk=seller.pk)
        .first()
    )
    if current is None:
        raise _error(SellerErrorCode.NOT_FOUND, "No such seller.")
    if S.SUBMITTED not in SELLER_TRANSITIONS[current.status]:
        raise _error(
            SellerErrorCode.INVALID_TRANSITION,
            f"An application that is {current.get_status_display().lower()} cannot be submitted.",
        )
    if current.user is None or not current.user.is_email_verified:
        raise _error(
            SellerErrorCode.EMAIL_NOT_VERIFIED,
            "Verify your e-mail address before submitting the application.",
        )
    for name in REQUIRED_FOR_SUBMISSION:
        if not getattr(current, name):
            api_name = APPLICATION_FIELDS[name][0]
            raise _error(
                SellerErrorCode.INCOMPLETE_APPLICATION,
                f"Fill in '{api_name}' before submitting.",
                api_name,
            )
    if not current.documents.exists():
        raise _error(
            SellerErrorCode.INCOMPLETE_APPLICATION,
            "Attach at least one document (e.g. your residency certificate).",
            "documents",
        )
    return _transition(
        seller_id=current.pk,
        from_status=current.status,
        to_status=S.SUBMITTED,
        kind=SellerEventKind.SUBMITTED,
        actor=actor,
        submitted_at=timezone.now(),
    )


@transaction.atomic
def seller_application_approve(*, seller_id: int, actor: User) -> Seller:
    """Staff accept a submitted application: the shop becomes public."""
    seller = _transition(
        seller_id=seller_id,
        from_status=S.SUBMITTED,
        to_status=S.APPROVED,
        kind=SellerEventKind.APPROVED,
        actor=actor,
        decided_at=timezone.now(),
        rejection_reason="",
    )
    _notify(
        seller,
        subject="Your Creative Market shop is approved",
        body=f"Welcome! Your shop \u201c{seller.name}\u201d is now open to buyers.",
    )
    return seller


@transaction.atomic
def seller_application_reject(*, seller_id: int, actor: User, reason: str) -> Seller:
    """Staff turn down a submitted application, always with a reason the applicant sees; the
    applicant may edit and resubmit."""
    reason = _required_reason(reason)
    seller = _transition(
        seller_id=seller_id,
        from_status=S.SUBMITTED,
        to_status=S.REJECTED,
        kind=SellerEventKind.REJECTED,
        actor=actor,
        note=reason,
        decided_at=timezone.now(),
        rejection_reason=reason,
    )
    _notify(
        seller,
        subject="Your Creative Market application needs changes",
        body=f"Your application for \u201c{seller.name}\u201d was not approved:\n\n{reason}\n\n"
        "You may change it and submit it again.",
    )
    return seller


@transaction.atomic
def seller_suspend(*, seller_id: int, actor: User, reason: str) -> Seller:
    """Staff take an approved shop (and so its products) off the marketplace, with a reason."""
    reason = _required_reason(reason)
    seller = _transition(
        seller_id=seller_id,
        from_status=S.APPROVED,
        to_status=S.SUSPENDED,
        kind=SellerEventKind.SUSPENDED,
        actor=actor,
        note=reason,
    )
    _notify(
        seller,
        subject="Your Creative Market shop is suspended",
        body=f"Your shop \u201c{seller.name}\u201d is hidden from buyers:\n\n{reason}",
    )
    return seller


@transaction.atomic
def seller_reinstate(*, seller_id: int, actor: User) -> Seller:
    """Staff bring a suspended shop back; never one closed because its owner's data was
    erased (it would open a shop that names nobody, paying out to no one)."""
    if Seller.objects.filter(pk=seller_id, user__erased_at__isnull=False).exists():
        raise DomainError(
            SellerErrorCode.INVALID_TRANSITION,
            "This shop was closed when its owner's personal data was erased; it cannot open again.",
            field="id",
        )
    seller = _transition(
        seller_id=seller_id,
        from_status=S.SUSPENDED,
        to_status=S.APPROVED,
        kind=SellerEventKind.REINSTATED,
        actor=actor,
    )
    _notify(
        seller,
        subject="Your Creative Market shop is open again",
        body=f"Your shop \u201c{seller.name}\u201d is visible to buyers again.",
    )
    return seller


# --- erasure ----------------------------------------------------------------------------------


def _file_delete_on_commit(document: SellerDocument) -> None:
    storage, name = document.file.storage, document.file.name
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def seller_erase(*, seller_id: int, actor: User) -> Seller:
    """The shop of a person whose data is erased: closed and emptied of what names them.

    An approved shop is suspended, a submitted application rejected (so staff stop reviewing
    it); the shop's name becomes "Closed shop <id>" and its slug follows, while the bio, city,
    contact details, programme, membership number and the review's reason are cleared and the
    uploaded documents deleted (files after commit). The row stays: order parts, payouts and
    the ledger point at it. Erasing a closed shop again changes nothing."""
    seller = Seller.objects.select_for_update().get(pk=seller_id)
    closed_name = f"Closed shop {seller.pk}"
    note = "Closed: the owner's personal data was erased."
    if seller.status == S.APPROVED:
        _transition(
            seller_id=seller.pk,
            from_status=S.APPROVED,
            to_status=S.SUSPENDED,
            kind=SellerEventKind.SUSPENDED,
            actor=actor,
            note=note,
        )
    elif seller.status == S.SUBMITTED:
        _transition(
            seller_id=seller.pk,
            from_status=S.SUBMITTED,
            to_status=S.REJECTED,
            kind=SellerEventKind.REJECTED,
            actor=actor,
            note=note,
            decided_at=timezone.now(),
        )
    for document in seller.documents.all():
        _file_delete_on_commit(document)
    SellerDocument.objects.filter(seller_id=seller.pk).delete()
    # Their notes carry the documents' file names, which often carry the person's name.
    SellerEvent.objects.filter(
        seller_id=seller.pk,
        kind__in=[SellerEventKind.DOCUMENT_ADDED, SellerEventKind.DOCUMENT_REMOVED],
    ).update(note="")
    Seller.objects.filter(pk=seller.pk).update(
        name=closed_name,
        slug=seller.slug if seller.name == closed_name else _unique_slug(closed_name),
        bio="",
        city="",
        resident_programme="",
        membership_number="",
        contact_email="",
        contact_phone="",
        rejection_reason="",
    )
    _event(seller=seller, kind=SellerEventKind.UPDATED, actor=actor, note=note)
    seller.refresh_from_db()
    return seller
