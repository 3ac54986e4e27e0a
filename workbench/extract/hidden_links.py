"""Hidden links (暗链) a page carries to other hosts: links a reader cannot see, and links a
script writes into the page.

A page analyzer (``hidden_links``) reads what CSS the page itself shows — inline ``style``,
``<style>`` blocks with simple selectors (``.class``, ``#id``, ``tag``, ``tag.class``,
``tag#id``), the ``hidden`` attribute — on the link and its ancestors:

- ``display:none``, ``visibility:hidden``, ``font-size:0``, ``opacity:0``;
- zero width or height with ``overflow:hidden`` (or both zero);
- positioned far off screen (``left``/``top`` ≤ −500px) or ``text-indent`` ≤ −500px;
- text in the same colour as a known background (declared on the link or an ancestor,
  or on ``body``); an unknown background is never guessed.

Scripts that ``document.write`` an ``<a href>`` to another host are recorded as injected
links. Only links to another host are kept (a site's own hidden menus are not 暗链); the
indicator (``site.hidden_link``) leaves out government hosts. External stylesheets are not
fetched: what they hide is not seen (a limit noted in docs/conformance.md).
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from workbench.pages import HiddenLinkValue
from workbench.urls import join_url

MAX_LINKS = 20
OFFSCREEN_PX = 500

_RULE_RE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_SIMPLE_SELECTOR_RE = re.compile(r"^([a-z][a-z0-9]*)?(?:([.#])([\w-]+))?$", re.I)
_WRITE_RE = re.compile(r"document\s*\.\s*write(?:ln)?\s*\(", re.I)
_SCRIPT_HREF_RE = re.compile(r"""<a\b[^>]*?href\s*=\s*\\?["']?(https?://[^"'\\\s>]+)""", re.I)
_SCRIPT_ANCHOR_RE = re.compile(r">([^<>]{1,60})</a", re.I)
_COMMENT_RE = re.compile(r"/\*.*?\*/", re.S)
_NUMBER_RE = re.compile(r"^(-?\d+(?:\.\d+)?)(px|em|rem|pt|%)?$")


def declarations(style: str) -> dict[str, str]:
    """``"a: b; c: d"`` → ``{"a": "b", "c": "d"}`` (lower case, ``!important`` dropped)."""
    out: dict[str, str] = {}
    for part in style.split(";"):
        name, sep, value = part.partition(":")
        if sep:
            value = value.replace("!important", "").strip().lower()
            out[name.strip().lower()] = " ".join(value.split())
    return out


def _length(value: str | None) -> float | None:
    if value is None:
        return None
    m = _NUMBER_RE.match(value.replace(" ", ""))
    return float(m.group(1)) if m else None


def _colour(value: str | None) -> str | None:
    """A colour in one canonical form (``#ffffff``), or None when not a plain colour."""
    if not value:
        return None
    value = value.strip().lower()
    value = value.split()[0] if value.startswith("#") else value
    names = {"white": "#ffffff", "black": "#000000", "red": "#ff0000", "#fff": "#ffffff",
             "#000": "#000000"}  # fmt: skip
    value = names.get(value, value)
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        value = "#" + "".join(c * 2 for c in value[1:])
    m = re.fullmatch(r"rgb\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)", value)
    if m:
        value = "#" + "".join(f"{int(g):02x}" for g in m.groups())
    return value if re.fullmatch(r"#[0-9a-f]{6}", value) else None


def hiding(decls: dict[str, str]) -> str:
    """Why these declarations hide an element ("" when they do not)."""
    if decls.get("display") == "none":
        return "display:none"
    if decls.get("visibility") in ("hidden", "collapse"):
        return "visibility:hidden"
    if _length(decls.get("font-size")) == 0:
        return "font-size:0"
    if _length(decls.get("opacity")) == 0:
        return "opacity:0"
    width, height = _length(decls.get("width")), _length(decls.get("height"))
    clipped = decls.get("overflow") == "hidden"
    if (width == 0 and height == 0) or (clipped and (width == 0 or height == 0)):
        return "尺寸为0"
    if decls.get("position") in ("absolute", "fixed"):
        for side in ("left", "top"):
            offset = _length(decls.get(side))
            if offset is not None and offset <= -OFFSCREEN_PX:
                return f"{side}:{decls[side]}"
    indent = _length(decls.get("text-indent"))
    if indent is not None and indent <= -OFFSCREEN_PX:
        return f"text-indent:{decls['text-indent']}"
    return ""


def _background(decls: dict[str, str]) -> str | None:
    return _colour(decls.get("background-color") or decls.get("background"))


class _Styles:
    """The page's ``<style>`` rules with simple selectors: selector → declarations."""

    def __init__(self, root: lxml.html.HtmlElement) -> None:
        self.rules: dict[tuple[str, str, str], dict[str, str]] = {}
        for block in root.iter("style"):
            css = _COMMENT_RE.sub("", block.text or "")
            for selectors, body in _RULE_RE.findall(css):
                decls = declarations(body)
                for selector in selectors.split(","):
                    m = _SIMPLE_SELECTOR_RE.match(selector.strip())
                    if m and (m.group(1) or m.group(3)):
                        key = ((m.group(1) or "").lower(), m.group(2) or "", m.group(3) or "")
                        self.rules.setdefault(key, {}).update(decls)

    def of(self, el: lxml.html.HtmlElement) -> dict[str, str]:
        """The declarations that apply to ``el`` (style blocks, then its inline style)."""
        if not self.rules:  # the common page: inline styles only
            style = el.get("style")
            return declarations(style) if style else {}
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        out: dict[str, str] = {}
        if self.rules:
            keys = [(tag, "", ""), ("", "#", el.get("id") or ""), (tag, "#", el.get("id") or "")]
            for cls in (el.get("class") or "").split():
                keys += [("", ".", cls), (tag, ".", cls)]
            for key in keys:
                if key in self.rules and (key[1] != "#" or key[2]):
                    out.update(self.rules[key])
        out.update(declarations(el.get("style") or ""))
        return out


def _hidden_by(link: lxml.html.HtmlElement, styles: _Styles, body_bg: str | None) -> str:
    """Why ``link`` is hidden from a reader ("" when it is not)."""
    colour: str | None = None
    background: str | None = None
    for el in (link, *link.iterancestors()):
        if not isinstance(el.tag, str) or el.tag in ("body", "html"):
            break
        if el.get("hidden") is not None:
            return "hidden属性"
        decls = styles.of(el)
        if not decls:  # no rule and no inline style: nothing hides it, no colour is set
            continue
        why = hiding(decls)
        if why:
            return why
        colour = colour or _colour(decls.get("color"))
        background = background or _background(decls)
    background = background or body_bg
    if colour and background and colour == background:
        return f"文字颜色与背景相同（{colour}）"
    return ""


_BODY_XPATH = etree.XPath("//body")


# What may follow a leading "/" to make a network location: urlsplit drops tab, CR and LF.
_NETLOC_START = frozenset("/\t\r\n")


def _other_host(href: str, base: str) -> str | None:
    """The absolute URL of ``href`` when it points to another host than ``base``."""
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
        return None
    if ":" not in href and href[0] > " " and (href[0] != "/" or href[1:2] not in _NETLOC_START):
        return None  # no scheme and no //host: the join keeps base's host (the common case)
    try:
        url = join_url(base, href)  # cached: the page's links join the same hrefs
        (scheme, host), (_, own) = _scheme_host(url), _scheme_host(base)
    except ValueError:
        return None
    if scheme not in ("http", "https") or not host:
        return None
    return url if host != own else None


@lru_cache(maxsize=256)
def _scheme_host(url: str) -> tuple[str, str | None]:
    """The scheme and host of ``url`` (ValueError as urlsplit): cached, as the page's own URL
    and a site's links to other hosts recur on every page (``hostname`` is Python code).
    Small: each page's own URL passes through once, and at 4,096 entries those held ~1 MB
    in every page-reading process."""
    parts = urlsplit(url)
    return parts.scheme, parts.hostname


def hidden_link_facts(root: lxml.html.HtmlElement, url: str) -> list[HiddenLinkValue] | None:
    """Links to other hosts hidden by the page's CSS or written by a script: ``[{"href",
    "anchor", "how"}]`` (at most ``MAX_LINKS``), or None when there are none."""
    styles = _Styles(root)
    bodies = _BODY_XPATH(root)
    body_bg = None
    if bodies:
        body = bodies[0]
        body_bg = _colour(body.get("bgcolor")) or _background(styles.of(body))
    out: list[HiddenLinkValue] = []
    for link in root.iter("a"):
        target = _other_host(link.get("href") or "", url)
        if target is None:
            continue
        why = _hidden_by(link, styles, body_bg)
        if why:
            anchor = " ".join((link.text_content() or link.get("title") or "").split())[:60]
            out.append({"href": target[:500], "anchor": anchor, "how": why})
            if len(out) >= MAX_LINKS:
                return out
    for script in root.iter("script"):
        code = script.text or ""
        if not _WRITE_RE.search(code):
            continue
        for m in _SCRIPT_HREF_RE.finditer(code):
            target = _other_host(m.group(1), url)
            if target is None:
                continue
            shown = _SCRIPT_ANCHOR_RE.search(code, m.end())
            text = shown.group(1).strip() if shown else ""
            out.append({"href": target[:500], "anchor": text, "how": "脚本写入（document.write）"})
            if len(out) >= MAX_LINKS:
                return out
    return out or None
