"""The web page's form: pasted text or an uploaded .txt/.html/.pdf file, read with the same
extraction as the CLI (:mod:`unspin.inputs.extract`)."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import UnspinError
from ..inputs.extract import document_from_bytes


@dataclass
class PageForm:
    text: str = ""
    api_key: str | None = None
    file_name: str = ""
    file_data: bytes | None = None
    error: str = ""


async def read_form(request, max_body: int) -> PageForm:
    """The posted form; a malformed one gives a form whose ``error`` says why."""
    from starlette.datastructures import UploadFile

    try:
        # The body cap has bounded the whole request already; let a field be as large.
        form = await request.form(max_files=1, max_fields=8, max_part_size=max_body)
    except Exception as e:  # starlette's MultiPartException and the parser's own errors
        return PageForm(error=f"could not read the form: {getattr(e, 'message', None) or e}")
    out = PageForm()
    text = form.get("text")
    out.text = text if isinstance(text, str) else ""
    key = form.get("api_key")
    out.api_key = key if isinstance(key, str) and key else None
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        out.file_name = upload.filename
        out.file_data = await upload.read()
    await form.close()
    return out


def form_text(form: PageForm) -> tuple[str, str]:
    """(name, text) to check: the uploaded file's text when there is one, else the pasted text.
    Blocking (a PDF is parsed here): run it off the event loop."""
    if form.file_data is not None:
        doc = document_from_bytes(form.file_data, form.file_name, errors="replace")
        return doc.name, doc.text
    if not form.text.strip():
        raise UnspinError("paste a text or choose a file to check")
    # Browsers send CRLF line ends from a textarea; offsets should index the text as pasted.
    return "pasted text", form.text.replace("\r\n", "\n")
