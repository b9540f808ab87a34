"""The escaping functions: hostile examples and properties over arbitrary text.

The JavaScript and Markdown decoders below are small reference implementations of the
parts of those languages the escapes rely on; the browser test (tests/e2e) checks the
same texts in a real JavaScript engine and Markdown renderer.
"""

from __future__ import annotations

import doctest
import html
import json
import re
import string

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from dashboard import escaping
from dashboard.escaping import (
    WORD_JOINER,
    html_text,
    js_string,
    markdown_text,
    spreadsheet_cell,
    template_literal,
)

#: Hand-made hostile names (the issue's examples and classic payloads).
HOSTILE = (
    "Leuven ${alert(7)}",
    "Herberg `t Hoekske",
    "Blok\\1 kantoor",
    "</script><script>alert(2)</script>",
    "<img src=x onerror=alert(3)>",
    "\"double\" and 'single' quotes",
    "[click here](https://evil.example/login)",
    "![x](https://evil.example/t.png)",
    '=HYPERLINK("https://evil.example")',
)

#: Text with extra weight on the characters that matter in these contexts.
texts = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("`$\\{}<>/&\"'[]()!*_#=+-@:\t\r\n\u2028\u2029\x00 ")),
        st.characters(),
    )
)


def test_doctest_examples() -> None:
    assert doctest.testmod(escaping).failed == 0


# --- HTML -------------------------------------------------------------------------------


@given(texts)
@example("<img src=x onerror=alert(3)>")
@example("&amp; is not decoded twice")
def test_html_text_is_inert_and_shows_the_input(value: str) -> None:
    out = html_text(value)
    assert not set(out) & set("<>\"'")
    # every & starts a character reference the browser decodes back
    assert all(re.match(r"&(amp|lt|gt|quot|#x27);", out[i:]) for i, c in enumerate(out) if c == "&")
    assert html.unescape(out) == value


# --- JavaScript string ------------------------------------------------------------------


@given(texts)
@example("</script><script>alert(2)</script>")
def test_js_string_is_a_literal_of_the_input(value: str) -> None:
    out = js_string(value)
    assert out.isascii()
    assert not set(out) & set("<>&'")
    assert out.startswith('"') and out.endswith('"')
    assert json.loads(out) == value  # JSON string syntax is JavaScript string syntax


# --- JavaScript template literal --------------------------------------------------------

_SIMPLE_ESCAPES = {"\\": "\\", "`": "`", "$": "$", "r": "\r", "n": "\n", "t": "\t"}


def _cooked(body: str) -> str:
    """The value JavaScript gives the template literal `` `body` `` (reference decoder).

    Raises ValueError on what a JavaScript engine rejects or would read differently: an
    unescaped backtick (the literal ends), ``${`` (a substitution), a bare CR (normalised
    to LF) or an escape outside the simple set (``\\1`` is a SyntaxError).
    """
    out: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char == "`":
            raise ValueError(f"literal ends at {i}")
        if char == "$" and body[i + 1 : i + 2] == "{":
            raise ValueError(f"substitution at {i}")
        if char == "\r":
            raise ValueError(f"bare CR at {i}")
        if char != "\\":
            out.append(char)
            i += 1
            continue
        nxt = body[i + 1 : i + 2]
        if nxt in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[nxt])
            i += 2
        elif nxt == "x" and re.fullmatch(r"[0-9A-Fa-f]{2}", body[i + 2 : i + 4]):
            out.append(chr(int(body[i + 2 : i + 4], 16)))
            i += 4
        else:
            raise ValueError(f"escape {body[i : i + 2]!r} at {i}")
    return "".join(out)


def test_reference_decoder_rejects_what_breaks_the_literal() -> None:
    # the names break the literal (or run code) when inserted raw
    for raw in ("Leuven ${alert(7)}", "Herberg `t Hoekske", "Blok\\1 kantoor"):
        with pytest.raises(ValueError):
            _cooked(raw)


@given(texts)
@example("Leuven ${alert(7)}")
@example("Herberg `t Hoekske")
@example("Blok\\1 kantoor")
@example("ends with a backslash \\")
@example("$${{`\\`")
def test_template_literal_keeps_the_value_and_cannot_escape(value: str) -> None:
    body = template_literal(value)
    assert _cooked(body) == value
    assert "<" not in body  # so no </script and no <!-- in a page
    assert "\x00" not in body


# --- Markdown ---------------------------------------------------------------------------


def _unescaped_punctuation(text: str) -> list[int]:
    """Positions of ASCII punctuation that no backslash escapes (Markdown could read it)."""
    found = []
    i = 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in string.punctuation:
            i += 2
            continue
        if text[i] in string.punctuation:
            found.append(i)
        i += 1
    return found


def _markdown_visible(text: str) -> str:
    """What CommonMark shows for plain text with backslash escapes (reference)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


#: GFM's literal autolinks as mdast-util-gfm-autolink-literal finds them in the text
#: *after* escapes are resolved (URL with protocol or www., e-mail address).
_AUTOLINK_LITERALS = (
    re.compile(r"(https?://|www(?=\.))[-.\w]+", re.IGNORECASE),
    re.compile(r"[-.\w+]+@[-\w]+(?:\.[-\w]+)+"),
)


@given(texts)
@example("[click here](https://evil.example/login)")
@example("![x](https://evil.example/t.png)")
@example(":red[alarm] $x^2$ **bold** <b>x</b>")
@example("line\n# heading\r\n- item")
@example("www.evil.example, mailto:me@evil.example, HTTP://EVIL.EXAMPLE")
def test_markdown_text_shows_the_input_as_plain_text(value: str) -> None:
    out = markdown_text(value)
    assert _unescaped_punctuation(out) == []
    assert "\n" not in out and "\r" not in out
    visible = _markdown_visible(out)
    one_line = re.sub(r"\r\n|\r|\n", " ", value)
    # the same text, but for invisible word joiners
    assert visible.replace(WORD_JOINER, "") == one_line.replace(WORD_JOINER, "")
    assert not any(p.search(visible) for p in _AUTOLINK_LITERALS)


def test_markdown_text_breaks_links_and_bare_urls() -> None:
    out = markdown_text("see [click here](https://evil.example/login) or www.evil.example")
    assert "](" not in out and "https://" not in out and "www." not in out
    visible = _markdown_visible(out)
    assert "https://" not in visible and "www." not in visible


# --- Spreadsheet ------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx"])
def test_spreadsheet_cell_quotes_formula_starts(value: str) -> None:
    assert spreadsheet_cell(value) == "'" + value


@given(texts)
def test_spreadsheet_cell_never_starts_a_formula(value: str) -> None:
    out = spreadsheet_cell(value)
    assert not out.startswith(escaping.SPREADSHEET_TRIGGERS)
    assert out in (value, "'" + value)
    assert (out == value) == (not value.startswith(escaping.SPREADSHEET_TRIGGERS))


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_in_nested_tooltip_context(name: str) -> None:
    # what the workplace tooltip receives: HTML inside a template literal
    body = template_literal(html_text(name))
    assert html.unescape(_cooked(body)) == name


def test_t_markdown_escapes_values_not_the_interface_text() -> None:
    from dashboard.i18n import t, t_markdown

    link = "[click here](https://evil.example/login)"
    text = t_markdown("bad_input", "en", who="**Person 1**", msg=link)
    assert text == t("bad_input", "en", who=markdown_text("**Person 1**"), msg=markdown_text(link))
    assert _unescaped_punctuation(text) == [text.index(":")]  # the template's own colon
    assert _markdown_visible(text).replace(WORD_JOINER, "") == f"**Person 1**: {link}"
