"""Files of restricted courses: stored privately, under names nobody can guess, whenever content changes."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.text import slugify
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, ReferenceIndex

from lms.storage import RESTRICTED_PREFIX, is_restricted_name

from ..models import (
    RestrictedFile,
)
from ..selectors import restricted_course_key_at

logger = logging.getLogger(__name__)


@dataclass
class RestrictedFilesReport:
    made_private: list[tuple[str, int]] = field(default_factory=list)
    made_public: list[tuple[str, int]] = field(default_factory=list)
    restricted: int = 0


def _file_uses() -> dict[tuple[str, int], set]:
    """{(kind, id): the restricted course keys using it, and None for any use outside them} for
    every image and document something refers to, from Wagtail's reference index (which follows
    each page's latest saved content, drafts included, and every other model that points at one)."""

    kinds = {
        ContentType.objects.get_for_model(get_image_model()).pk: RestrictedFile.Kind.IMAGE,
        ContentType.objects.get_for_model(get_document_model()).pk: RestrictedFile.Kind.DOCUMENT,
    }
    page_type = ContentType.objects.get_for_model(Page).pk
    rows = list(
        ReferenceIndex.objects.filter(to_content_type_id__in=list(kinds)).values_list(
            "base_content_type_id", "object_id", "to_content_type_id", "to_object_id"
        )
    )
    paths = dict(
        Page.objects.filter(
            pk__in={int(source) for base, source, *_ in rows if base == page_type}
        ).values_list("pk", "path")
    )
    uses: dict[tuple[str, int], set] = {}
    for base, source, to_type, to_id in rows:
        path = paths.get(int(source)) if base == page_type else None
        key = restricted_course_key_at(path) if path else None
        uses.setdefault((kinds[to_type], int(to_id)), set()).add(key)
    return uses


def restricted_files_sync() -> RestrictedFilesReport:
    """Keep the files of restricted courses private, and every other file public.

    A file used only inside restricted courses is moved out of the public media folder (to
    ``PRIVATE_MEDIA_ROOT``, under a random name) and served only through the access decision;
    as soon as anything outside them uses it (an open course, any other page or model), it is
    public again. Restriction is sticky: a file that a restricted course stops using stays
    restricted, because learners on older releases of that course may still see it. Safe to run
    at any time and concurrently (each move locks the file's row); run after every page save.
    """

    models_by_kind = {
        RestrictedFile.Kind.IMAGE: get_image_model(),
        RestrictedFile.Kind.DOCUMENT: get_document_model(),
    }
    report = RestrictedFilesReport()
    known = {(row.kind, row.object_id): row for row in RestrictedFile.objects.all()}
    for (kind, object_id), keys in _file_uses().items():
        row = known.get((kind, object_id))
        restricted_keys = sorted(str(key) for key in keys if key is not None)
        if None in keys:
            if row is not None:
                row.delete()
                report.made_public.append((kind, object_id))
            continue
        if row is None:
            RestrictedFile.objects.create(kind=kind, object_id=object_id, course_keys=restricted_keys)
            report.made_private.append((kind, object_id))
        elif not set(restricted_keys) <= set(row.course_keys):
            row.course_keys = sorted(set(row.course_keys) | set(restricted_keys))
            row.save(update_fields=["course_keys", "updated_at"])
    # Files are moved to where their row says, including any an editor re-uploaded since.
    rows = {(kind, object_id) for kind, object_id in RestrictedFile.objects.values_list("kind", "object_id")}
    report.restricted = len(rows)
    for kind, model in models_by_kind.items():
        restricted_ids = {object_id for row_kind, object_id in rows if row_kind == kind}
        public_ids = {object_id for row_kind, object_id in report.made_public if row_kind == kind}
        misplaced = model.objects.filter(pk__in=restricted_ids).exclude(file__startswith=RESTRICTED_PREFIX)
        for object_id in misplaced.values_list("pk", flat=True):
            _file_move(model=model, kind=kind, object_id=object_id, private=True)
        stored_private = model.objects.filter(pk__in=public_ids, file__startswith=RESTRICTED_PREFIX)
        for object_id in stored_private.values_list("pk", flat=True):
            _file_move(model=model, kind=kind, object_id=object_id, private=False)
    return report


def _file_name(kind: str, name: str, *, private: bool, title: str) -> str:
    """A new stored name: random (not derivable from anything public) when private; readable
    (the title's slug) when public."""
    extension = PurePosixPath(name).suffix.lower()
    if kind == RestrictedFile.Kind.DOCUMENT:
        basename = PurePosixPath(name).name
        return (
            f"{RESTRICTED_PREFIX}documents/{secrets.token_hex(16)}/{basename}"
            if private
            else f"documents/{basename}"
        )
    if private:
        return f"{RESTRICTED_PREFIX}original_images/{secrets.token_hex(16)}{extension}"
    return f"original_images/{(slugify(title) or 'image')[:40]}{extension}"


def _file_move(*, model, kind: str, object_id: int, private: bool) -> None:
    """Move one file between public and private storage; its renditions are made again on demand
    (in the matching place: see ``lms.storage.rendition_upload_to``)."""
    with transaction.atomic():
        obj = model.objects.select_for_update().filter(pk=object_id).first()
        if obj is None or is_restricted_name(obj.file.name) == private:
            return  # gone, or another run moved it already
        storage, old_name = obj.file.storage, obj.file.name
        new_name = _file_name(kind, old_name, private=private, title=obj.title)
        try:
            with storage.open(old_name, "rb") as source:
                new_name = storage.save(new_name, source)
        except FileNotFoundError:
            logger.warning("%s %s has no file at %s; only its name is moved", kind, object_id, old_name)
        model.objects.filter(pk=object_id).update(file=new_name)
        transaction.on_commit(lambda: storage.delete(old_name))
    if kind == RestrictedFile.Kind.IMAGE:
        for rendition in obj.renditions.all():
            rendition.delete()  # Wagtail's signal handlers remove the file and the cached entry
