#!/usr/bin/python3
"""Generate Kengash's SYNTHETIC demo geodata for Kazan.

Reads  geodata/kazan_districts_osm.geojson  (OSM district polygons, ODbL 1.0)
Writes geodata/kazan_addresses_synthetic.geojson  (~600 Point features)
       geodata/kazan_parcels_synthetic.geojson    (~400 Polygon features)

Everything written is made up: street/house pairs are not real address
records, points are random positions (not the real building locations),
cadastral numbers are invented and the parcels are random rectangles.
Only the containment of each feature in its district was tested against
the OSM polygons.

Standard library only, no network, deterministic (fixed seed): running it
twice gives byte-identical files.  Usage (from anywhere):

    /usr/bin/python3 scripts/gen-demo-geodata.py
"""

import json
import math
import os
import random
import sys

SEED = 20240611
N_ADDRESSES = 600
N_PARCELS = 400
ADDR_MIN_EDGE_M = 20.0  # a random address point stays at least this far from the district border

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEO = os.path.join(ROOT, "geodata")
DISTRICTS_FILE = os.path.join(GEO, "kazan_districts_osm.geojson")
ADDR_FILE = os.path.join(GEO, "kazan_addresses_synthetic.geojson")
PARCEL_FILE = os.path.join(GEO, "kazan_parcels_synthetic.geojson")

# District order, two-digit code used in the synthetic cadastral quarter
# numbers (NOT the real Rosreestr quarter scheme), and the share of the
# random addresses / parcels each district gets.
DISTRICTS = [
    # name,                    code, addresses, parcels
    ("Авиастроительный район", "02", 75, 50),
    ("Вахитовский район", "01", 94, 59),
    ("Кировский район", "03", 65, 55),
    ("Московский район", "04", 80, 50),
    ("Ново-Савиновский район", "05", 85, 45),
    ("Приволжский район", "06", 100, 70),
    ("Советский район", "07", 100, 70),
]

# Street names per district.  Names marked "generic" are placeholders
# (common Russian street names), not a claim about the district.
STREETS = {
    "Вахитовский район": ["ул. Баумана", "ул. Пушкина", "ул. Кремлёвская", "ул. Островского",
                          "ул. Карла Маркса", "ул. Петербургская", "ул. Бутлерова", "ул. Большая Красная"],
    "Советский район": ["ул. Гвардейская", "ул. Патриса Лумумбы", "проспект Победы",
                        "ул. Баки Урманче", "ул. Космонавтов", "Сибирский тракт"],
    "Приволжский район": ["ул. Рихарда Зорге", "проспект Победы", "ул. Кул Гали",
                          "ул. Закиева", "ул. Дубравная"],
    "Ново-Савиновский район": ["проспект Ямашева", "ул. Чистопольская", "ул. Адоратского",
                               "ул. Сибгата Хакима", "ул. Фатыха Амирхана"],
    "Московский район": ["ул. Декабристов", "проспект Ибрагимова", "ул. Восстания", "ул. Гудованцева"],
    # generic placeholders
    "Кировский район": ["ул. Садовая", "ул. Полевая", "ул. Речная", "ул. Луговая", "ул. Заречная"],
    # Копылова, Дементьева, Ленинградская are real; Лесная, Школьная are generic placeholders
    "Авиастроительный район": ["ул. Копылова", "ул. Дементьева", "ул. Ленинградская",
                               "ул. Лесная", "ул. Школьная"],
}
HOUSE_MAX = 120

# Permitted-use labels (loosely after the Russian land-use classifier) and weights.
USES = [
    ("ИЖС", 30),
    ("многоквартирный жилой дом", 25),
    ("объект торговли", 12),
    ("офисное здание", 8),
    ("образование и просвещение", 5),
    ("здравоохранение", 3),
    ("спорт", 3),
    ("коммунальное обслуживание", 5),
    ("хранение автотранспорта", 5),
    ("отдых (рекреация)", 4),
]

# Hand-placed features in the centre of Kazan for demo scenarios.
FIXED_ADDRESSES = [
    # address components, lon, lat, district
    ("ул. Баумана", "19", 49.1185, 55.7892, "Вахитовский район"),
]
FIXED_PARCELS = [
    # cadastral number, centre lon, lat, width_m (E-W), height_m (N-S), use, district
    ("16:50:011101:101", 49.1200, 55.7880, 40.0, 30.0, "объект торговли", "Вахитовский район"),
]

QUARTER_CELL_M = 600.0  # synthetic quarter grid size


# ---------------------------------------------------------------- geometry

def m_per_deg(lat):
    """Metres per degree of longitude and latitude at latitude lat (WGS84 series)."""
    p = math.radians(lat)
    m_lat = 111132.954 - 559.822 * math.cos(2 * p) + 1.175 * math.cos(4 * p)
    m_lon = 111412.84 * math.cos(p) - 93.5 * math.cos(3 * p)
    return m_lon, m_lat


def ring_contains(ring, x, y):
    """Ray casting (even-odd) test of point (x, y) against one closed ring."""
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > y) != (yj > y):
            xc = xi + (y - yi) * (xj - xi) / (yj - yi)
            if x < xc:
                inside = not inside
        j = i
    return inside


def polygon_contains(poly, x, y):
    """poly = [outer, hole1, ...]: inside the outer ring and outside every hole."""
    if not ring_contains(poly[0], x, y):
        return False
    for hole in poly[1:]:
        if ring_contains(hole, x, y):
            return False
    return True


def multipolygon_contains(mp, x, y):
    return any(polygon_contains(p, x, y) for p in mp)


def seg_point_dist_m(ax, ay, bx, by, px, py, mlon, mlat):
    """Distance in metres from P to segment AB (local planar approximation)."""
    ax, bx, px = ax * mlon, bx * mlon, px * mlon
    ay, by, py = ay * mlat, by * mlat, py * mlat
    dx, dy = bx - ax, by - ay
    L = dx * dx + dy * dy
    t = 0.0 if L == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / L))
    qx, qy = ax + t * dx - px, ay + t * dy - py
    return math.hypot(qx, qy)


def segments_intersect(p1, p2, p3, p4):
    """True if closed segments p1p2 and p3p4 touch or cross."""
    def orient(a, b, c):
        v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
        return (v > 0) - (v < 0)

    def on_seg(a, b, c):
        return (min(a[0], b[0]) <= c[0] <= max(a[0], b[0]) and
                min(a[1], b[1]) <= c[1] <= max(a[1], b[1]))

    d1, d2 = orient(p3, p4, p1), orient(p3, p4, p2)
    d3, d4 = orient(p1, p2, p3), orient(p1, p2, p4)
    if d1 != d2 and d3 != d4:
        return True
    if d1 == 0 and on_seg(p3, p4, p1):
        return True
    if d2 == 0 and on_seg(p3, p4, p2):
        return True
    if d3 == 0 and on_seg(p1, p2, p3):
        return True
    if d4 == 0 and on_seg(p1, p2, p4):
        return True
    return False


def signed_area(ring):
    a = 0.0
    for i in range(len(ring) - 1):
        a += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1]
    return a / 2.0


class District:
    def __init__(self, name, mp):
        self.name = name
        self.mp = mp  # list of polygons, each a list of rings of [lon, lat]
        xs = [c[0] for p in mp for r in p for c in r]
        ys = [c[1] for p in mp for r in p for c in r]
        self.bbox = (min(xs), min(ys), max(xs), max(ys))
        # all boundary edges with their bboxes, for distance / crossing tests
        self.edges = []
        for p in mp:
            for r in p:
                for i in range(len(r) - 1):
                    a, b = r[i], r[i + 1]
                    self.edges.append((a[0], a[1], b[0], b[1],
                                       min(a[0], b[0]), min(a[1], b[1]),
                                       max(a[0], b[0]), max(a[1], b[1])))

    def contains(self, x, y):
        return multipolygon_contains(self.mp, x, y)

    def min_edge_dist_m(self, x, y, limit_m):
        """Distance to the nearest boundary edge, exact if < limit_m (else returns >= limit_m)."""
        mlon, mlat = m_per_deg(y)
        dx, dy = limit_m / mlon, limit_m / mlat
        best = float("inf")
        for ax, ay, bx, by, x0, y0, x1, y1 in self.edges:
            if x1 < x - dx or x0 > x + dx or y1 < y - dy or y0 > y + dy:
                continue
            best = min(best, seg_point_dist_m(ax, ay, bx, by, x, y, mlon, mlat))
        return best

    def contains_ring(self, ring):
        """Ring (closed) entirely inside: all vertices inside, no boundary edge
        touches/crosses a ring edge, no boundary vertex inside the ring (holes)."""
        if not all(self.contains(c[0], c[1]) for c in ring[:-1]):
            return False
        xs = [c[0] for c in ring]
        ys = [c[1] for c in ring]
        rx0, ry0, rx1, ry1 = min(xs), min(ys), max(xs), max(ys)
        for ax, ay, bx, by, x0, y0, x1, y1 in self.edges:
            if x1 < rx0 or x0 > rx1 or y1 < ry0 or y0 > ry1:
                continue
            for i in range(len(ring) - 1):
                if segments_intersect(ring[i], ring[i + 1], (ax, ay), (bx, by)):
                    return False
            if ring_contains(ring, ax, ay):
                return False
        return True


def load_districts():
    with open(DISTRICTS_FILE, encoding="utf-8") as f:
        fc = json.load(f)
    out = {}
    for feat in fc["features"]:
        g = feat["geometry"]
        name = feat["properties"]["name"]
        if g["type"] == "Polygon":
            mp = [g["coordinates"]]
        elif g["type"] == "MultiPolygon":
            mp = g["coordinates"]
        else:
            raise SystemExit("unexpected geometry type %s for %s" % (g["type"], name))
        out[name] = District(name, mp)
    missing = [d[0] for d in DISTRICTS if d[0] not in out]
    if missing:
        raise SystemExit("districts missing from %s: %s" % (DISTRICTS_FILE, ", ".join(missing)))
    return out


def r7(v):
    return round(v, 7)


def rect_ring(cx, cy, w_m, h_m, angle_deg):
    """Closed CCW ring of a w_m x h_m rectangle centred at (cx, cy), rotated by angle."""
    mlon, mlat = m_per_deg(cy)
    a = math.radians(angle_deg)
    ca, sa = math.cos(a), math.sin(a)
    ring = []
    for ux, uy in ((-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5)):
        ex, ey = ux * w_m, uy * h_m
        rx, ry = ex * ca - ey * sa, ex * sa + ey * ca
        ring.append([r7(cx + rx / mlon), r7(cy + ry / mlat)])
    ring.append(list(ring[0]))
    if signed_area(ring) < 0:
        ring.reverse()
    return ring


def bbox_of(ring):
    xs = [c[0] for c in ring]
    ys = [c[1] for c in ring]
    return (min(xs), min(ys), max(xs), max(ys))


def bbox_overlap(a, b, pad=0.0):
    return not (a[2] + pad < b[0] or b[2] + pad < a[0] or a[3] + pad < b[1] or b[3] + pad < a[1])


def random_point(rng, d):
    x0, y0, x1, y1 = d.bbox
    while True:
        x, y = r7(rng.uniform(x0, x1)), r7(rng.uniform(y0, y1))
        if d.contains(x, y):
            return x, y


# ---------------------------------------------------------------- generation

def gen_addresses(rng, dist):
    feats = []
    seen = set()

    def add(street, house, x, y, dname):
        addr = "г. Казань, %s, д. %s" % (street, house)
        if addr in seen:
            raise AssertionError("duplicate address " + addr)
        seen.add(addr)
        feats.append({"type": "Feature",
                      "geometry": {"type": "Point", "coordinates": [x, y]},
                      "properties": {"address": addr, "district": dname,
                                     "street": street, "house": house}})

    fixed_by_d = {}
    for street, house, x, y, dname in FIXED_ADDRESSES:
        x, y = r7(x), r7(y)
        if not dist[dname].contains(x, y):
            raise SystemExit("fixed address %s %s at %s,%s is not inside %s" % (street, house, x, y, dname))
        fixed_by_d.setdefault(dname, []).append((street, house, x, y))

    reserved = {"г. Казань, %s, д. %s" % (s, h) for s, h, _, _, _ in FIXED_ADDRESSES}
    for dname, _code, n_addr, _np in DISTRICTS:
        d = dist[dname]
        for street, house, x, y in fixed_by_d.get(dname, []):
            add(street, house, x, y, dname)
        streets = STREETS[dname]
        made = 0
        while made < n_addr:
            street = rng.choice(streets)
            house = str(rng.randint(1, HOUSE_MAX))
            addr = "г. Казань, %s, д. %s" % (street, house)
            if addr in seen or addr in reserved:
                continue
            while True:
                x, y = random_point(rng, d)
                if d.min_edge_dist_m(x, y, ADDR_MIN_EDGE_M) >= ADDR_MIN_EDGE_M:
                    break
            add(street, house, x, y, dname)
            made += 1
    return feats


def weighted_choice(rng, items):
    total = sum(w for _, w in items)
    r = rng.uniform(0, total)
    for v, w in items:
        r -= w
        if r <= 0:
            return v
    return items[-1][0]


def gen_parcels(rng, dist):
    feats = []
    placed = []  # bboxes, to keep parcels from overlapping
    used_numbers = set()
    used_in_quarter = {}
    pad = 5.0 / 111000.0  # about 5 m gap between parcels

    def add(cn, ring, use, dname, track=True):
        if cn in used_numbers:
            raise AssertionError("duplicate cadastral number " + cn)
        used_numbers.add(cn)
        if track:
            placed.append(bbox_of(ring))
        feats.append({"type": "Feature",
                      "geometry": {"type": "Polygon", "coordinates": [ring]},
                      "properties": {"cadastral_number": cn, "district": dname, "use": use}})

    fixed_by_d = {}
    for cn, cx, cy, w, h, use, dname in FIXED_PARCELS:
        ring = rect_ring(cx, cy, w, h, 0.0)
        if not dist[dname].contains_ring(ring):
            raise SystemExit("fixed parcel %s is not inside %s" % (cn, dname))
        if not polygon_contains([ring], cx, cy):
            raise SystemExit("fixed parcel %s does not contain its centre" % cn)
        q, n = cn.rsplit(":", 1)
        used_in_quarter.setdefault(q, set()).add(int(n))
        fixed_by_d.setdefault(dname, []).append((cn, ring, use))
        placed.append(bbox_of(ring))

    for dname, code, _na, n_par in DISTRICTS:
        d = dist[dname]
        for cn, ring, use in fixed_by_d.get(dname, []):
            add(cn, ring, use, dname, track=False)  # bbox already in placed
        x0, y0 = d.bbox[0], d.bbox[1]
        made = 0
        while made < n_par:
            cx, cy = random_point(rng, d)
            w, h = rng.uniform(20, 80), rng.uniform(20, 80)
            ang = rng.choice([0.0, rng.uniform(0, 90)])
            ring = rect_ring(cx, cy, w, h, ang)
            bb = bbox_of(ring)
            if any(bbox_overlap(bb, o, pad) for o in placed):
                continue
            if not d.contains_ring(ring):
                continue
            # synthetic quarter: district code + grid row/column of a ~600 m grid
            mlon, mlat = m_per_deg(cy)
            col = int((cx - x0) * mlon // QUARTER_CELL_M) % 100
            row = int((cy - y0) * mlat // QUARTER_CELL_M) % 100
            quarter = "16:50:%s%02d%02d" % (code, row, col)
            taken = used_in_quarter.setdefault(quarter, set())
            num = rng.randint(1, 999)
            while num in taken:
                num = rng.randint(1, 999)
            taken.add(num)
            add("%s:%d" % (quarter, num), ring, weighted_choice(rng, USES), dname)
            made += 1
    return feats


# ---------------------------------------------------------------- output / checks

def write_fc(path, feats):
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in feats]
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write('{"type":"FeatureCollection","features":[\n')
        f.write(",\n".join(lines))
        f.write("\n]}\n")


def check(dist, addrs, parcels):
    """Re-read the written files and verify the promised properties."""
    with open(ADDR_FILE, encoding="utf-8") as f:
        a = json.load(f)["features"]
    with open(PARCEL_FILE, encoding="utf-8") as f:
        p = json.load(f)["features"]
    assert len(a) == len(addrs) and len(p) == len(parcels)
    names = [x["properties"]["address"] for x in a]
    assert len(set(names)) == len(names), "addresses not unique"
    for x in a:
        lon, lat = x["geometry"]["coordinates"]
        dn = x["properties"]["district"]
        assert dist[dn].contains(lon, lat), "address outside its district: %r" % x
        others = [o for o in dist if o != dn and dist[o].contains(lon, lat)]
        assert not others, "address also inside %s: %r" % (others, x)
        h = int(x["properties"]["house"])
        assert 1 <= h <= HOUSE_MAX
    cns = [x["properties"]["cadastral_number"] for x in p]
    assert len(set(cns)) == len(cns), "cadastral numbers not unique"
    for x in p:
        cn = x["properties"]["cadastral_number"]
        parts = cn.split(":")
        assert len(parts) == 4 and parts[:2] == ["16", "50"] and len(parts[2]) == 6 and parts[2].isdigit() \
            and parts[3].isdigit(), cn
        ring = x["geometry"]["coordinates"][0]
        assert len(x["geometry"]["coordinates"]) == 1 and len(ring) == 5
        assert ring[0] == ring[-1], "ring not closed: " + cn
        assert signed_area(ring) > 0, "outer ring not CCW: " + cn
        for c in ring:
            assert all(v == round(v, 7) for v in c)
        dn = x["properties"]["district"]
        assert dist[dn].contains_ring(ring), "parcel not inside its district: " + cn
        # side lengths 20-80 m (tolerance for 1e-7 degree rounding)
        mlon, mlat = m_per_deg(ring[0][1])
        sides = [math.hypot((ring[i + 1][0] - ring[i][0]) * mlon, (ring[i + 1][1] - ring[i][1]) * mlat)
                 for i in range(4)]
        assert all(19.9 <= s <= 80.1 for s in sides), (cn, sides)
    # no two parcels overlap (bbox test is conservative: checks a superset)
    bbs = sorted((bbox_of(x["geometry"]["coordinates"][0]), x["properties"]["cadastral_number"]) for x in p)
    for i in range(len(bbs)):
        for j in range(i + 1, len(bbs)):
            if bbs[j][0][0] > bbs[i][0][2]:
                break
            assert not bbox_overlap(bbs[i][0], bbs[j][0]), (bbs[i][1], bbs[j][1])
    return True


def main():
    dist = load_districts()
    rng = random.Random(SEED)
    addrs = gen_addresses(rng, dist)
    parcels = gen_parcels(rng, dist)
    write_fc(ADDR_FILE, addrs)
    write_fc(PARCEL_FILE, parcels)
    check(dist, addrs, parcels)

    print("seed %d" % SEED)
    print("%-24s %9s %8s" % ("district", "addresses", "parcels"))
    for dname, _c, _a, _p in DISTRICTS:
        na = sum(1 for f in addrs if f["properties"]["district"] == dname)
        np_ = sum(1 for f in parcels if f["properties"]["district"] == dname)
        print("%-24s %9d %8d" % (dname, na, np_))
    print("%-24s %9d %8d" % ("total", len(addrs), len(parcels)))
    for s, h, x, y, dn in FIXED_ADDRESSES:
        print("fixed address: г. Казань, %s, д. %s at %.7f, %.7f (%s)" % (s, h, x, y, dn))
    for cn, x, y, w, h, use, dn in FIXED_PARCELS:
        print("fixed parcel:  %s, %gx%g m centred at %.7f, %.7f (%s)" % (cn, w, h, x, y, dn))
    print("wrote %s\nwrote %s" % (os.path.relpath(ADDR_FILE, ROOT), os.path.relpath(PARCEL_FILE, ROOT)))
    print("checks passed: containment, unique addresses / cadastral numbers, closed CCW rings, no overlaps")
    return 0


if __name__ == "__main__":
    sys.exit(main())
