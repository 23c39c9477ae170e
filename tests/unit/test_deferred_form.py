"""forms.Deferred: a blank form built only when the page reads it, and then as built directly."""

from __future__ import annotations

import pytest

from webapp.forms import Deferred
from webapp.forms.reviews import ShelfForm


def test_a_deferred_form_is_built_once_when_first_read(app):
    built = []

    class Counted(ShelfForm):
        def __init__(self, *args, **kwargs):
            built.append(kwargs)
            super().__init__(*args, **kwargs)

    with app.test_request_context("/"):
        form = Deferred(Counted, data={"status": "reading"})
        assert built == []
        direct = ShelfForm(data={"status": "reading"})
        assert form.status.data == form["status"].data == "reading" and "status" in form
        assert [f.name for f in form] == [f.name for f in direct] and not form.errors
        assert form.finished_on._value() == direct.finished_on._value()
        assert built == [{"data": {"status": "reading"}}]


def test_an_attribute_error_while_building_is_not_a_missing_attribute(app):
    class Broken(ShelfForm):
        def __init__(self, *args, **kwargs):
            raise AttributeError("boom")

    with app.test_request_context("/"), pytest.raises(RuntimeError) as raised:
        Deferred(Broken).status  # noqa: B018
    assert isinstance(raised.value.__cause__, AttributeError)
