"""Escape text from data or from the user for the place it is shown: one function per context.

Text that the app did not write itself (names and addresses from the sources, a workplace
label, an address query, a geocoder's answer, a value from a shared link, an exception's
message) is never inserted raw into markup or code.  Each function makes a string inert in
one context and keeps what a reader sees equal to the input:

========================  =====================================  ==========================
function                  context                                example of a use
========================  =====================================  ==========================
:func:`html_text`         HTML text and quoted attribute values  popup and tooltip cells,
                                                                 layer names, the legend
:func:`js_string`         a JavaScript string literal (whole)    the legend's HTML in the
                                                                 map script
:func:`template_literal`  the body of a JavaScript template      folium ``Tooltip`` text
                          literal (between backticks)            (the workplace markers)
:func:`markdown_text`     Markdown (Streamlit's ``st.error``,    messages and manifest
                          ``st.caption``, ``st.markdown``...)    texts on the pages
:func:`spreadsheet_cell`  a text cell of a CSV file opened in    the CSV export
                          a spreadsheet
========================  =====================================  ==========================

Contexts nest: text shown by a folium ``Tooltip`` is HTML (Leaflet sets it as
``innerHTML``) written inside a template literal, so it gets ``template_literal(html_text(s))``.
"""

from __future__ import annotations

import html
import json
import re
import string
from typing import Final

#: Characters CommonMark lets a backslash escape (every ASCII punctuation character).
_MARKDOWN_PUNCTUATION: Final = frozenset(string.punctuation)
_LINE_BREAK: Final = re.compile(r"\r\n|\r|\n")
#: Invisible and zero-width; breaks GFM autolink literals (see :func:`markdown_text`).
WORD_JOINER: Final = "\u2060"
#: Template-literal escapes: the backslash first of all, then what would end the literal
#: (a backtick), start a substitution (``$`` before ``{``), end the enclosing ``<script>``
#: (``<``) or be changed by the parser (CR is normalised to LF, NUL replaced in HTML).
_TEMPLATE_ESCAPES: Final = {
    "\\": "\\\\",
    "`": "\\`",
    "$": "\\$",
    "<": "\\x3C",
    "\r": "\\r",
    "\x00": "\\x00",
}
#: OWASP "CSV injection": a cell starting with one of these is read as a formula.
SPREADSHEET_TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r")


def html_text(value: str) -> str:
    """Escape ``value`` for HTML text or a quoted (``"`` or ``'``) attribute value.

    ``&``, ``<``, ``>``, ``"`` and ``'`` become character references, so no tag, entity
    or attribute can start; the browser shows the original characters.

    Examples
    --------
    >>> html_text('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    """
    return html.escape(value, quote=True)


def js_string(value: str) -> str:
    r"""Return a JavaScript string literal (quotes included) whose value is ``value``.

    JSON with every non-ASCII character and ``<``, ``>``, ``&``, ``'`` as ``\uXXXX``
    escapes: safe inside an HTML ``<script>`` (no ``</script``, no ``<!--``), in a
    single-quoted HTML attribute, and free of U+2028/U+2029 line separators.

    Examples
    --------
    >>> js_string("</script><b>")
    '"\\u003c/script\\u003e\\u003cb\\u003e"'
    """
    return (
        json.dumps(value, ensure_ascii=True)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("'", "\\u0027")
    )


def template_literal(value: str) -> str:
    r"""Escape ``value`` for the inside of a JavaScript template literal (`` `...` ``).

    Backslashes, backticks and ``$`` are backslash-escaped, so the text can neither end
    the literal nor open a ``${...}`` substitution, and ``\1`` is no (forbidden) octal
    escape; ``<`` becomes ``\x3C`` so ``</script`` never appears in a page.  The
    literal's value is ``value`` exactly.

    Examples
    --------
    >>> template_literal("Herberg `t Hoekske ${alert(7)}")
    'Herberg \\`t Hoekske \\${alert(7)}'
    """
    return "".join(_TEMPLATE_ESCAPES.get(char, char) for char in value)


def markdown_text(value: str) -> str:
    r"""Escape ``value`` so Markdown shows it as plain text (one line).

    Every ASCII punctuation character gets a backslash (CommonMark shows an escaped
    character literally): no link, image, emphasis, code, HTML, heading, list, table,
    Streamlit colour directive or LaTeX can start.  Escapes do not stop GFM's *literal*
    autolinks (Streamlit finds ``https://...``, ``www.`` and e-mail addresses in the
    text after unescaping it, checked in Chromium), so an invisible WORD JOINER
    (:data:`WORD_JOINER`, U+2060) goes after every ``:`` and ``@`` and before every ``.``:
    no ``https://``, ``www.`` or ``name@host.tld`` stays contiguous.  Line breaks become
    spaces: a message stays one paragraph.

    Examples
    --------
    >>> markdown_text("[click](https://evil.example)").replace(WORD_JOINER, "+")
    '\\[click\\]\\(https\\:+\\/\\/evil+\\.example\\)'
    """
    one_line = _LINE_BREAK.sub(" ", value)
    return "".join(_markdown_char(char) for char in one_line)


def _markdown_char(char: str) -> str:
    """One character of :func:`markdown_text`: escaped, with a joiner where needed."""
    if char not in _MARKDOWN_PUNCTUATION:
        return char
    if char == ".":
        return WORD_JOINER + "\\."
    if char in ":@":
        return "\\" + char + WORD_JOINER
    return "\\" + char


def spreadsheet_cell(value: str) -> str:
    r"""Neutralise a text cell that a spreadsheet would read as a formula.

    A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (the OWASP
    list) gets a leading ``'``, which spreadsheets treat as "this is text"; other text is
    returned unchanged.  Apply it to text cells only: numbers stay numbers.

    Examples
    --------
    >>> spreadsheet_cell("=HYPERLINK(\"https://evil.example\")")
    '\'=HYPERLINK("https://evil.example")'
    >>> spreadsheet_cell("Heverlee")
    'Heverlee'
    """
    return "'" + value if value.startswith(SPREADSHEET_TRIGGERS) else value
