#!/usr/bin/env python3
"""embed_strings.py: turns the server's string files into a C table, so the
binary carries its texts in every language (include/kengash/i18n.h).

usage: embed_strings.py OUTPUT.c src/core/lang/LANG/DOMAIN.txt...
       embed_strings.py --check src/core/lang/LANG/DOMAIN.txt...

Files: src/core/lang/<lang>/<domain>.txt for lang ru, tt, en (in that
order in the table). Lines are `key = text` (UTF-8); blank lines and lines
starting with # are skipped. In the text \\n is a line end, \\s a space
(for a leading or trailing one) and \\\\ a backslash; {name} is a
placeholder. Every key of <domain>.txt starts with "<domain>.".

Plural forms are keys ending in .one, .few, .many or .other (CLDR): each
language has exactly the forms of its rule (ru: one few many other; tt:
other; en: one other).

The build FAILS when a key is missing in a language, a language has a key
the others lack, the placeholders of a key differ between languages, a text
has markup (< > &: texts are plain, escaped by whoever outputs HTML), a
key is defined twice, or a line cannot be read."""
import os
import re
import sys

LANGS = ["ru", "tt", "en"]
PLURAL_FORMS = {"ru": ["one", "few", "many", "other"], "tt": ["other"], "en": ["one", "other"]}
ALL_FORMS = ("one", "few", "many", "other")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
PLACEHOLDER_RE = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
MAX_TEXT = 4000  # a string literal ISO C guarantees is 4095 bytes


def unescape(text, where):
    out = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            nxt = text[i + 1:i + 2]
            if nxt == "n":
                out.append("\n")
            elif nxt == "s":
                out.append(" ")
            elif nxt == "\\":
                out.append("\\")
            else:
                raise ValueError("%s: unknown escape \\%s" % (where, nxt))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def read_file(path):
    """{key: text} of one file; raises ValueError with file:line."""
    domain = os.path.splitext(os.path.basename(path))[0]
    table = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            where = "%s:%d" % (path, n)
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if " = " not in line:
                raise ValueError("%s: expected `key = text`" % where)
            key, text = line.split(" = ", 1)
            key = key.strip()
            if not KEY_RE.match(key) or not key.startswith(domain + "."):
                raise ValueError("%s: bad key %r (keys of %s.txt start with %s.)" %
                                 (where, key, domain, domain))
            if key in table:
                raise ValueError("%s: key %s defined twice" % (where, key))
            text = unescape(text.strip(), where)
            if re.search(r"[<>&]", text):
                raise ValueError("%s: %s has markup (< > &); texts are plain" % (where, key))
            if "\r" in text or "\t" in text:
                raise ValueError("%s: %s has a control character" % (where, key))
            stray = PLACEHOLDER_RE.sub("", text)
            if "{" in stray or "}" in stray:
                raise ValueError("%s: %s has a brace that is not a {placeholder}" % (where, key))
            if len(text.encode("utf-8")) > MAX_TEXT:
                raise ValueError("%s: %s is longer than %d bytes" % (where, key, MAX_TEXT))
            table[key] = text
    return table


def plural_base(key):
    head, _, tail = key.rpartition(".")
    return head if tail in ALL_FORMS else None


def load(paths):
    """{lang: {key: text}} of the files; raises ValueError."""
    tables = {lang: {} for lang in LANGS}
    for path in paths:
        lang = os.path.basename(os.path.dirname(path))
        if lang not in tables:
            raise ValueError("%s: unknown language directory %r" % (path, lang))
        t = read_file(path)
        for k in t:
            if k in tables[lang]:
                raise ValueError("%s: key %s defined twice in %s" % (path, k, lang))
        tables[lang].update(t)
    return tables


def check(tables):
    """The list of errors across languages."""
    errors = []
    # plural groups: base -> {lang: set(forms)}
    bases = set()
    for lang in LANGS:
        bases |= {plural_base(k) for k in tables[lang] if plural_base(k)}
    for base in sorted(bases):
        for lang in LANGS:
            have = {k.rpartition(".")[2] for k in tables[lang] if plural_base(k) == base}
            want = set(PLURAL_FORMS[lang])
            if have != want:
                errors.append("%s: %s has plural forms %s, its rule needs %s" %
                              (lang, base, sorted(have), sorted(want)))
        sets = {}
        for lang in LANGS:
            ph = set()
            for form in PLURAL_FORMS[lang]:
                ph |= set(PLACEHOLDER_RE.findall(tables[lang].get(base + "." + form, "")))
            sets[lang] = ph
        if len({frozenset(s) for s in sets.values()}) > 1:
            errors.append("%s: placeholders differ between languages: %s" % (base, sets))
    plain = set()
    for lang in LANGS:
        plain |= {k for k in tables[lang] if not plural_base(k)}
    for key in sorted(plain):
        missing = [lang for lang in LANGS if key not in tables[lang]]
        if missing:
            errors.append("%s: missing in %s" % (key, ", ".join(missing)))
            continue
        sets = {lang: sorted(set(PLACEHOLDER_RE.findall(tables[lang][key]))) for lang in LANGS}
        if len({tuple(s) for s in sets.values()}) > 1:
            errors.append("%s: placeholders differ between languages: %s" % (key, sets))
    return errors


def c_string(text):
    out = ['"']
    for b in text.encode("utf-8"):
        if b == 0x22:
            out.append('\\"')
        elif b == 0x5C:
            out.append("\\\\")
        elif b == 0x0A:
            out.append("\\n")
        elif 0x20 <= b < 0x7F and b != 0x3F:  # ? as octal: no trigraphs
            out.append(chr(b))
        else:
            out.append("\\%03o" % b)
    out.append('"')
    return "".join(out)


def generate(tables):
    keys = set()
    for lang in LANGS:
        keys |= set(tables[lang])
    parts = [
        "/* Generated by src/core/embed_strings.py from src/core/lang/LANG/DOMAIN.txt.",
        " * Do not edit. The struct must match the one in src/core/i18n.c. */",
        "#include <stddef.h>",
        "",
        "struct kg_i18n_entry {",
        "  const char *zKey;",
        "  const char *az[3]; /* ru, tt, en; NULL: a plural form the language has not */",
        "};",
        "",
        "extern const struct kg_i18n_entry kg_i18n_aEntry[];",
        "extern const int kg_i18n_nEntry;",
        "",
        "const struct kg_i18n_entry kg_i18n_aEntry[] = {",
    ]
    for key in sorted(keys, key=lambda k: k.encode("utf-8")):
        parts.append("  {%s," % c_string(key))
        parts.append("   {")
        for lang in LANGS:
            v = tables[lang].get(key)
            parts.append("    %s," % (c_string(v) if v is not None else "NULL"))
        parts.append("   }},")
    parts.append("};")
    parts.append("const int kg_i18n_nEntry = %d;" % len(keys))
    return "\n".join(parts) + "\n"


def main(argv):
    if len(argv) < 3:
        sys.stderr.write("usage: embed_strings.py OUTPUT.c|--check FILE.txt...\n")
        return 2
    try:
        tables = load(argv[2:])
    except (ValueError, UnicodeDecodeError) as e:
        sys.stderr.write("embed_strings.py: %s\n" % e)
        return 1
    errors = check(tables)
    if errors:
        for e in errors:
            sys.stderr.write("embed_strings.py: %s\n" % e)
        return 1
    if argv[1] == "--check":
        return 0
    tmp = argv[1] + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write(generate(tables))
    os.replace(tmp, argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
