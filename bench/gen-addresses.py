#!/usr/bin/python3
"""gen-addresses.py: a synthetic address register of N addresses (GAR/FIAS-
style CSV: id,address,lon,lat) and a mix of queries as people type them,
for bench/addresses.sh. Standard library only, deterministic (fixed seed).

    /usr/bin/python3 bench/gen-addresses.py OUT.csv QUERIES.txt [N] [NQUERIES]

Streets have made-up names (syllables + a Russian ending) and the usual
types (ул., пр-т, пер., наб., пл., б-р, ш., тракт, проезд); houses are
numbered 1..k with some letters (19а) and buildings (корп., стр., лит.);
nine tenths are in Kazan, the rest in four other towns that reuse the
street names. QUERIES.txt has one query a line (UTF-8), in eight
spellings: "Имя 19", "ул. Имя, 19", "улица Имя дом 19", the register's
own spelling, upper case, the first letters of the name (typing), the
name and the first digit of the house, and a building ("Имя 19к1")."""
import random
import sys
import uuid

SEED = 20261204
SYLLABLES = ["ка", "ри", "мо", "ба", "ту", "за", "ле", "ни", "со", "ва", "ше", "гу", "ди", "ро", "пе",
             "та", "на", "ми", "ло", "фа", "жу", "ча", "бе", "ги", "ку", "са", "ме", "да", "ра", "ху",
             "зи", "ке", "ли", "по", "ша", "ю", "ко", "ну", "би", "ма"]
ENDINGS = ["ова", "ева", "ина", "ская", "ная", "ского"]
TYPES = [("ул.", "улица", 70), ("пр-т", "проспект", 5), ("пер.", "переулок", 9), ("наб.", "набережная", 2),
         ("пл.", "площадь", 2), ("б-р", "бульвар", 3), ("ш.", "шоссе", 3), ("тракт", "тракт", 2),
         ("проезд", "проезд", 4)]
TOWNS = [("г. Казань", 90), ("г. Зеленодольск", 3), ("г. Набережные Челны", 3), ("г. Альметьевск", 2),
         ("г. Елабуга", 2)]


def weighted(rng, items):
    total = sum(w for *_, w in items)
    x = rng.uniform(0, total)
    for item in items:
        x -= item[-1]
        if x <= 0:
            return item
    return items[-1]


def street_names(rng, n):
    seen, out = set(), []
    while len(out) < n:
        stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3))))
        name = (stem + rng.choice(ENDINGS)).capitalize()
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


def house_of(rng, k):
    """(register spelling, typed forms, building typed) of house k."""
    x = rng.random()
    if x < 0.05:
        letter = rng.choice("абв")
        return "д. %d%s" % (k, letter), "%d%s" % (k, letter), None
    if x < 0.13:
        b = rng.choice((1, 2, 3))
        return "д. %d, корп. %d" % (k, b), "%d" % k, "%dк%d" % (k, b)
    if x < 0.16:
        return "д. %d, стр. 2" % k, "%d" % k, "%d стр 2" % k
    if x < 0.18:
        return "д. %d, лит. А" % k, "%d" % k, "%d литера А" % k
    return "д. %d" % k, "%d" % k, None


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    n = int(argv[3]) if len(argv) > 3 else 200000
    nq = int(argv[4]) if len(argv) > 4 else 4000
    rng = random.Random(SEED)
    names = street_names(rng, max(50, n // 90))
    rows = [("0c5b2444-70a0-4932-980c-b4dc0d3f02b5", "г. Казань", "ул.", "улица", "Баумана",
             "д. 19", "19", None)]
    seen = {("г. Казань", "ул.", "Баумана", "д. 19")}
    while len(rows) < n:
        town = weighted(rng, TOWNS)[0]
        short, full, _ = weighted(rng, TYPES)
        name = rng.choice(names)
        k = rng.randint(1, 240)
        house, typed, building = house_of(rng, k)
        if (town, short, name, house) in seen:
            continue
        seen.add((town, short, name, house))
        rid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        rows.append((rid, town, short, full, name, house, typed, building))
    with open(argv[1], "w", encoding="utf-8", newline="") as f:
        f.write("id,address,lon,lat\r\n")
        for rid, town, short, _full, name, house, _t, _b in rows:
            street = "%s %s" % (name, short) if short == "тракт" else "%s %s" % (short, name)
            lon, lat = 48.95 + rng.random() * 0.35, 55.70 + rng.random() * 0.20
            f.write('%s,"%s, %s, %s",%.7f,%.7f\r\n' % (rid, town, street, house, lon, lat))
    with open(argv[2], "w", encoding="utf-8") as f:
        for i in range(nq):
            _rid, town, short, full, name, house, typed, building = rng.choice(rows)
            kind = i % 8
            if kind == 7 and not building:
                kind = 0
            if kind == 0:
                q = "%s %s" % (name, typed)
            elif kind == 1:
                q = "%s %s, %s" % (short, name, typed)
            elif kind == 2:
                q = "%s %s дом %s" % (full, name, typed)
            elif kind == 3:
                q = "%s, %s %s, %s" % (town, short, name, house)
            elif kind == 4:
                q = ("%s %s" % (name, typed)).upper()
            elif kind == 5:
                q = name[:rng.randint(3, 5)]
            elif kind == 6:
                q = "%s %s" % (name, typed[0])
            else:
                q = "%s %s" % (name, building)
            f.write(q + "\n")
    print("wrote %d addresses to %s and %d queries to %s" % (len(rows), argv[1], nq, argv[2]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
