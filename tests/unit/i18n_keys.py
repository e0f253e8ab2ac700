#!/usr/bin/env python3
"""i18n_keys.py: every key of the server's string tables
(src/core/lang/<lang>/<domain>.txt) is used in src/, and every key src/
uses exists (issue 20). A key is used when a C file of src/ names it as a
literal in kg_tr, kg_trf or kg_tr_plural (for a plural, the key without
.one/.few/.many/.other); keys built at run time are declared with a comment
`i18n-prefix: a.b.` in the file that builds them, which counts every key
starting with that prefix as used. Also runs the embed script's own checks
(missing keys, placeholders, markup).

usage: i18n_keys.py [SOURCE_ROOT]   (default: $KENGASH_SRC or the repo)"""
import glob
import os
import re
import sys

CALL_RE = re.compile(r"\bkg_tr(?:f|_plural)?\s*\(\s*[^,()]+,\s*\"([^\"]+)\"")
PREFIX_RE = re.compile(r"i18n-prefix:\s*([a-z0-9_.]+\.)")
FORMS = ("one", "few", "many", "other")

# tables the embed script must refuse: {lang: text of x.txt}, what it says
BAD = [
    ({"ru": "x.a = а\n", "tt": "x.a = ә\n", "en": ""}, "missing in en"),
    ({"ru": "x.a = {n} а\n", "tt": "x.a = {m} ә\n", "en": "x.a = {n} a\n"}, "placeholders differ"),
    ({"ru": "x.a = <b>а</b>\n", "tt": "x.a = ә\n", "en": "x.a = a\n"}, "markup"),
    ({"ru": "x.a = а & б\n", "tt": "x.a = ә\n", "en": "x.a = a\n"}, "markup"),
    ({"ru": "x.a.one = а\n", "tt": "x.a.other = ә\n", "en": "x.a.one = a\nx.a.other = b\n"},
     "plural forms"),
    ({"ru": "y.a = а\n", "tt": "y.a = ә\n", "en": "y.a = a\n"}, "bad key"),
    ({"ru": "x.a = а\nx.a = б\n", "tt": "x.a = ә\n", "en": "x.a = a\n"}, "defined twice"),
]


def refuses_bad_tables(embed_strings):
    """The errors of the embed script's checks on the BAD tables (empty: all refused)."""
    import tempfile
    errors = []
    for tables, want in BAD:
        with tempfile.TemporaryDirectory() as d:
            paths = []
            for lang, text in tables.items():
                os.mkdir(os.path.join(d, lang))
                paths.append(os.path.join(d, lang, "x.txt"))
                with open(paths[-1], "w", encoding="utf-8") as f:
                    f.write(text)
            try:
                got = embed_strings.check(embed_strings.load(paths))
            except ValueError as e:
                got = [str(e)]
            if not any(want in g for g in got):
                errors.append("embed script does not refuse (%s): %s" % (want, tables))
    return errors


def main(argv):
    root = argv[1] if len(argv) > 1 else os.environ.get(
        "KENGASH_SRC", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    sys.path.insert(0, os.path.join(root, "src", "core"))
    import embed_strings  # noqa: E402

    files = sorted(glob.glob(os.path.join(root, "src", "core", "lang", "*", "*.txt")))
    try:
        tables = embed_strings.load(files)
    except ValueError as e:
        print("i18n_keys: %s" % e)
        return 1
    errors = embed_strings.check(tables) + refuses_bad_tables(embed_strings)
    keys = set()
    for t in tables.values():
        keys |= set(t)
    used, prefixes = set(), set()
    for path in glob.glob(os.path.join(root, "src", "**", "*.[ch]"), recursive=True):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        rel = os.path.relpath(path, root)
        for m in CALL_RE.finditer(text):
            used.add((m.group(1), rel))
        prefixes |= set(PREFIX_RE.findall(text))
    bases = {k.rpartition(".")[0] for k in keys if k.rpartition(".")[2] in FORMS}
    for key, rel in sorted(used):
        if key not in keys and key not in bases:
            errors.append("%s: uses unknown key %s" % (rel, key))
    names = {k for k, _ in used}
    for key in sorted(keys):
        base = key.rpartition(".")[0] if key.rpartition(".")[2] in FORMS else None
        if key in names or (base and base in names):
            continue
        if any(key.startswith(p) for p in prefixes):
            continue
        errors.append("key %s is not used in src/" % key)
    for e in errors:
        print("i18n_keys: %s" % e)
    print("i18n_keys: %d keys, %d uses, %d prefixes, %d errors" %
          (len(keys), len(used), len(prefixes), len(errors)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
