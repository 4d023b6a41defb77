"""A message as a ``mailto:`` link (RFC 6068), for "Open in e-mail".

Every character that could end a header or start another one is
percent-encoded: ``?``, ``&``, ``#``, ``%``, ``=`` and spaces in the subject
and body (UTF-8, then %XX), line breaks as ``%0D%0A`` as the RFC asks. The
addresses are encoded the same way, but for their ``@``, and separated by
commas. The link is then only ever put in an attribute by the template,
which escapes it for HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote


def crlf(text: str) -> str:
    """Line breaks as e-mail writes them: CR LF, whatever the browser posted."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def mailto(*, to: Sequence[str] = (), subject: str = "", body: str = "") -> str:
    """``mailto:`` with the addresses ``to`` (none: the mail program asks),
    ``subject`` and ``body``, each percent-encoded."""
    addresses = ",".join(quote(address.strip(), safe="@") for address in to if address.strip())
    fields = [
        f"{name}={quote(crlf(value), safe='')}"
        for name, value in (("subject", subject), ("body", body))
        if value
    ]
    return f"mailto:{addresses}" + (f"?{'&'.join(fields)}" if fields else "")
