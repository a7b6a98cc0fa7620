"""People as an import leaves them: photos as avatars, initials and order by name, not title."""

from __future__ import annotations

import base64
import io
from typing import Any

from PIL import Image
from playwright.sync_api import expect

from .conftest import shoot, sign_up


def _card_with_photo(name: str, colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (600, 600), colour).save(out, format="JPEG")
    line = "PHOTO;ENCODING=b;TYPE=JPEG:" + base64.b64encode(out.getvalue()).decode()
    folded = "\r\n ".join(line[i:i + 74] for i in range(0, len(line), 74))
    return f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{name}\r\n{folded}\r\nEND:VCARD\r\n".encode()


def test_imported_photos_are_avatars_and_titles_do_not_lead(page: Any) -> None:
    sign_up(page)
    cards = (
        _card_with_photo("Priya Shah", (30, 120, 200))
        + b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dr. Zoe Adams\r\nN:Adams;Zoe;;Dr.;\r\nEND:VCARD\r\n"
        + b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Smith, John\r\nEND:VCARD\r\n"
    )
    page.goto("/settings#data")
    page.locator("#contacts-file").set_input_files(files=[{"name": "people.vcf", "mimeType": "text/vcard", "buffer": cards}])
    expect(page.get_by_test_id("import-report")).to_contain_text("3 added")
    page.get_by_role("link", name="People").click()
    rows = page.locator(".row-title")
    expect(rows).to_have_count(3)
    assert rows.all_inner_texts() == ["Smith, John", "Priya Shah", "Dr. Zoe Adams"]  # John, Priya, Zoe
    photo = page.locator("img.avatar-photo")
    expect(photo).to_have_count(1)
    page.wait_for_function("() => { const img = document.querySelector('img.avatar-photo'); return img && img.complete && img.naturalWidth === 256; }")
    avatars = page.locator(".avatar").all_inner_texts()
    assert avatars == ["JS", "PS", "ZA"]
    shoot(page, "people-photos")
