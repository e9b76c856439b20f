"""The one Registry mechanism: names, aliases, lazy entries, close-match errors, plugins."""

from __future__ import annotations

import pickle
import sys
import textwrap

import pytest

from nlptransfer._util.registry import Registry, import_string
from nlptransfer.errors import NLPTransferError, UnknownNameError


def test_names_keep_registration_order_and_aliases_resolve():
    reg: Registry[int] = Registry("number")
    reg.register("one", 1, aliases=("uno", "eins"))
    reg.register("two", 2)
    assert reg.names() == ("one", "two")
    assert reg.get("UNO") == 1  # names fold case by default
    assert reg.canonical("eins") == "one"
    assert "Two" in reg and "three" not in reg and 3 not in reg
    assert list(reg) == ["one", "two"] and len(reg) == 2


def test_a_lazy_entry_is_imported_on_get_not_on_names():
    module = "nlptransfer_test_lazy_target"
    sys.modules.pop(module, None)
    reg: Registry[object] = Registry("thing")
    reg.register("target", f"{module}:VALUE")
    assert reg.names() == ("target",)
    assert module not in sys.modules  # listing imports nothing
    with pytest.raises(ModuleNotFoundError):
        reg.get("target")


def test_registering_a_name_or_alias_twice_is_refused():
    reg: Registry[int] = Registry("number")
    reg.register("one", 1, aliases=("uno",))
    with pytest.raises(NLPTransferError, match="registered twice"):
        reg.register("ONE", 11)
    with pytest.raises(NLPTransferError, match="registered twice"):
        reg.register("uno", 11)


def test_unknown_name_lists_close_matches_and_every_name():
    reg: Registry[int] = Registry("classifier")
    for name in ("cnn", "bilstm", "nbow"):
        reg.register(name, 0)
    with pytest.raises(UnknownNameError) as info:
        reg.get("bilstn")
    message = str(info.value)
    assert "unknown classifier 'bilstn'" in message
    assert "did you mean 'bilstm'" in message
    assert "known: cnn, bilstm, nbow" in message
    assert isinstance(info.value, ValueError)  # callers catching ValueError keep working
    assert info.value.known == ("cnn", "bilstm", "nbow")


def test_unknown_name_error_survives_a_process_pool():
    error = UnknownNameError("unknown x 'y'", kind="x", name="y", known=("z",))
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == str(error)
    assert (again.kind, again.name, again.known) == ("x", "y", ("z",))


def test_decorator_form_returns_the_object():
    reg: Registry[object] = Registry("policy")

    @reg.register("zero")
    def zero() -> int:
        return 0

    assert reg.get("zero") is zero and zero() == 0


def test_import_string_reaches_nested_attributes():
    assert import_string("os.path:join") is __import__("os").path.join
    assert import_string("json") is __import__("json")


@pytest.fixture
def installed_plugin(tmp_path, monkeypatch):
    """A distribution laid out as pip installs one: a module plus a .dist-info with entry points."""
    (tmp_path / "tiny_colours.py").write_text("TEAL = (0, 128, 128)\nRED = 'plugin red'\n")
    info = tmp_path / "tiny_colours-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: tiny-colours\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        textwrap.dedent(
            """\
            [nlptransfer.test_colours]
            teal = tiny_colours:TEAL
            red = tiny_colours:RED
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    sys.modules.pop("tiny_colours", None)


def test_plugins_register_through_their_entry_point_group(installed_plugin, caplog):
    reg: Registry[object] = Registry("colour", "nlptransfer.test_colours")
    reg.register("red", (255, 0, 0))
    assert reg.names() == ("red", "teal")  # built-ins first, then plugins
    assert reg.get("teal") == (0, 128, 128)
    assert reg.source("teal") == "tiny-colours" and reg.source("red") == "nlptransfer"
    # A plugin cannot silently change what a built-in name means.
    assert reg.get("red") == (255, 0, 0)
    assert "ignoring the colour 'red' from the package tiny-colours" in caplog.text


def test_a_registry_without_a_group_sees_no_plugins(installed_plugin):
    reg: Registry[object] = Registry("colour")
    assert reg.names() == ()
