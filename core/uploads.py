"""File uploads refused early: held in memory up to a limit, never written.

A view that takes a file says so with ``@takes_upload(max_bytes)``: its
requests get a ``LimitedUpload`` handler alone, set before anything reads the
body (hence ``csrf_exempt`` outside and ``csrf_protect`` inside, as Django's
documentation on upload handlers shows). A request whose ``Content-Length``
is over the limit is refused from that header: not a byte of its body is read,
parsed or written, and the view, seeing ``too_large(request)``, answers with
its form and the reason beside the field. Refusing changes nothing, so that
answer needs no CSRF token (which sits in the unread body). A request whose
length says less than it sends is cut at the limit as it comes (the server
reads no further than ``Content-Length`` in any case, so a chunked upload
without one arrives empty).

Each limit is its file format's own (``playbook_file.MAX_BYTES``, …), passed
in by the view; the limits are a few MB, so memory is the right place for
the file, and Django's temporary files are never used.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopUpload
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.datastructures import MultiValueDict
from django.views.decorators.csrf import csrf_exempt, csrf_protect

# The form's other fields beside the file (the CSRF token, a checkbox, the
# multipart headers): a request longer than the limit and this is refused
# from its length.
FORM_OVERHEAD = 64 * 1024


class LimitedUpload(FileUploadHandler):
    """Holds an uploaded file in memory up to ``max_bytes`` and stops the
    upload past it: a request whose length says it is larger is not read at
    all, and one that says less than it sends is stopped at the limit, what
    came so far dropped. Then ``too_large`` is true."""

    chunk_size = 64 * 1024
    max_bytes = 0  # set by a subclass, or given

    def __init__(self, request: HttpRequest | None = None, *, max_bytes: int | None = None) -> None:
        super().__init__(request)
        if max_bytes is not None:
            self.max_bytes = max_bytes
        self.too_large = False
        self.received = 0

    def refuses_length(self, content_length: int) -> bool:
        return content_length > self.max_bytes + FORM_OVERHEAD

    def handle_raw_input(
        self,
        input_data: IO[bytes],
        META: dict[str, Any],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> tuple[QueryDict, MultiValueDict[str, Any]] | None:
        if self.refuses_length(content_length):
            self.too_large = True
            # Parsed as empty: nothing of the body is read.
            return QueryDict(encoding=encoding), MultiValueDict()
        return None

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        if self.too_large:
            raise StopUpload(connection_reset=False)
        self.file = io.BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.too_large = True
            self.file.close()  # what came so far is dropped at once
            # The rest of the body is read and thrown away, not reset, so
            # the browser gets the page that says why.
            raise StopUpload(connection_reset=False)
        self.file.write(raw_data)

    def file_complete(self, file_size: int) -> InMemoryUploadedFile | None:
        self.file.seek(0)
        return InMemoryUploadedFile(
            file=self.file,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


class NoFiles(FileUploadHandler):
    """Every other view's handler (``FILE_UPLOAD_HANDLERS``): it takes no
    file. A multipart body longer than the form data Django allows
    (``DATA_UPLOAD_MAX_MEMORY_SIZE``) is refused from its length, unread
    (400, as Django answers a form too large); a file in a shorter one is
    skipped, read past and never kept."""

    def handle_raw_input(
        self,
        input_data: IO[bytes],
        META: dict[str, Any],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> None:
        allowed = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if allowed is not None and content_length > allowed + FORM_OVERHEAD:
            raise RequestDataTooBig("A request with a file this view does not take.")

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        raise SkipFile

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        return None  # never reached: every file is skipped

    def file_complete(self, file_size: int) -> None:
        return None


def too_large(request: HttpRequest) -> bool:
    """Whether this request's file was refused for its size (its body is
    parsed here if it was not yet)."""
    request.POST  # noqa: B018  (parses the body, through the handler)
    return any(
        isinstance(handler, LimitedUpload) and handler.too_large
        for handler in request.upload_handlers
    )


View = Callable[..., HttpResponse]


def takes_upload(max_bytes: int) -> Callable[[View], View]:
    """The view takes one file of at most ``max_bytes``, held in memory.

    The view must look at ``too_large(request)`` before anything else it
    does with the request's data: a request refused from its length reaches
    it without the CSRF check (its token is in the body, unread), so the
    view must change nothing then and only answer why.
    """

    def decorator(view: View) -> View:
        protected = csrf_protect(view)

        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method != "POST":
                return protected(request, *args, **kwargs)
            handler = LimitedUpload(request, max_bytes=max_bytes)
            request.upload_handlers = [handler]
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if handler.refuses_length(length):
                return view(request, *args, **kwargs)  # refused, unread: nothing to protect
            return protected(request, *args, **kwargs)

        return wrapper

    return decorator
