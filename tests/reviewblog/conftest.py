import io
from pathlib import Path

import pytest
from PIL import Image

from tests.factories import FilmFactory

FIXTURES = Path(__file__).parent / "fixtures"


def write_image(path: Path, fmt: str, size=(120, 80)) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    out = io.BytesIO()
    Image.new("RGB", size, "teal").save(out, format=fmt)
    path.write_bytes(out.getvalue())


@pytest.fixture
def uploads(tmp_path):
    """A copy of the old blog's wp-content/uploads, as its owner would download it."""
    root = tmp_path / "site"
    write_image(root / "wp-content/uploads/2025/06/ballerina-poster.jpg", "JPEG")
    write_image(root / "wp-content/uploads/2017/08/stairwell.png", "PNG")
    return root


@pytest.fixture
def films(db):
    return {
        "ballerina": FilmFactory(title="Ballerina", release_year=2025),
        "atomic": FilmFactory(title="Atomic Blonde", release_year=2017),
    }
