/* gen-city.c: a deterministic city-sized data set for bench/run, written
 * through the store API (store.h, auth.h; no SQL here): 10,000 discussions
 * on small star-shaped territories (300 m to 2 km across) inside Kazan's
 * districts, one "general plan" discussion on a large one, most open, some
 * announced, closed or draft, each with its project and an exposition;
 * 100,000 citizens each with a verified residence inside some discussion's
 * territory (every discussion has at least one); 1,000,000 published
 * comments located inside their discussion's territory by residents of it
 * (skewed: the general plan gets 120,000, the rest a Zipf law, so the
 * busiest others have 90,000, 45,000, 30,000, ...); and logged-in sessions
 * of citizens living in an open discussion, with known cookie and CSRF
 * tokens. Comments go in through kg_store_bench_comments_published and the
 * bulk mode of bench_support.c: kg_store_comment_submit and _moderate per
 * row cost about 200 us a row here (FTS5 writes a segment at every
 * statement savepoint; SpatiaLite's R*Tree trigger runs SQL text per row).
 *
 * Usage: bench-gen-city DB OUTDIR [--seed N] [--discussions N]
 *        [--accounts N] [--comments N] [--big N] [--sessions N]
 *        [--geodata DIR] [--now EPOCH]
 * Writes DB (must not exist), OUTDIR/sessions.tsv (cookie token, CSRF
 * token, discussion id, lon, lat: a point inside that discussion for a new
 * comment) and OUTDIR/city.info (key=value lines: the ids and boxes the wrk
 * scenarios use). The same seed and sizes give the same rows; only the
 * bookkeeping created_at of accounts, projects and discussions is the wall
 * clock. Every other time is relative to --now (default 2026-11-01), and
 * open discussions close ten years after it, so the data stays usable.
 * Progress goes to standard error. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "kengash/auth.h"
#include "kengash/store.h"
#include "../src/store/bench_support.h"

#define DAY 86400
#define MAXV 72 /* vertices of a territory at most */
#define PI 3.14159265358979323846

/* The password of every generated account ("bench-password-2026"), hashed
 * once with argon2id (libsodium's interactive limits) and kept here so the
 * data is the same on every run and no time goes into hashing. */
static const char zPasswordHash[] = "$argon2id$v=19$m=65536,t=2,p=1$efYyPKAENLqYu5eQTqbFdQ$"
                                    "jlnXXTYn21pnTgNYu1n27hlljOsjHT73zUnRCIfgBGM";

/* ---- deterministic randomness: splitmix64 ---- */

static uint64_t g_rng;
static uint64_t rnd64(void) {
  uint64_t z = (g_rng += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
static double rnd(void) {
  return (double)(rnd64() >> 11) / 9007199254740992.0;
} /* [0,1) */
static int rndi(int n) {
  return (int)(rnd() * n);
} /* [0,n) */
static double gauss(void) {
  double u = rnd() + 1e-12, v = rnd();
  return sqrt(-2 * log(u)) * cos(2 * PI * v);
}

/* ---- the city: Kazan's districts (even-odd test over all their rings) ---- */

struct ring {
  int n;
  double *a; /* lon,lat pairs */
};
static struct ring *g_aRing;
static int g_nRing;
static double g_city[4]; /* bbox */

static void add_ring(json_t *pRing) {
  size_t n = json_array_size(pRing), i;
  struct ring r = {(int)n, malloc(2 * n * sizeof(double))};
  json_t *pPt;
  json_array_foreach(pRing, i, pPt) {
    r.a[2 * i] = json_real_value(json_array_get(pPt, 0));
    r.a[2 * i + 1] = json_real_value(json_array_get(pPt, 1));
    if (r.a[2 * i] < g_city[0]) g_city[0] = r.a[2 * i];
    if (r.a[2 * i + 1] < g_city[1]) g_city[1] = r.a[2 * i + 1];
    if (r.a[2 * i] > g_city[2]) g_city[2] = r.a[2 * i];
    if (r.a[2 * i + 1] > g_city[3]) g_city[3] = r.a[2 * i + 1];
  }
  g_aRing = realloc(g_aRing, (size_t)(g_nRing + 1) * sizeof(*g_aRing));
  g_aRing[g_nRing++] = r;
}

static int load_city(const char *zGeo) {
  char zPath[1024];
  snprintf(zPath, sizeof(zPath), "%s/kazan_districts_osm.geojson", zGeo);
  json_t *pFc = json_load_file(zPath, 0, NULL);
  if (!pFc) return 0;
  g_city[0] = g_city[1] = 1e9;
  g_city[2] = g_city[3] = -1e9;
  size_t i, j, k;
  json_t *pF, *pPoly, *pRing;
  json_array_foreach(json_object_get(pFc, "features"), i, pF) {
    json_t *pG = json_object_get(pF, "geometry");
    const char *zType = json_string_value(json_object_get(pG, "type"));
    json_t *pC = json_object_get(pG, "coordinates");
    if (zType && strcmp(zType, "Polygon") == 0) {
      json_array_foreach(pC, j, pRing) add_ring(pRing);
    } else if (zType && strcmp(zType, "MultiPolygon") == 0) {
      json_array_foreach(pC, j, pPoly) {
        json_array_foreach(pPoly, k, pRing) add_ring(pRing);
      }
    }
  }
  json_decref(pFc);
  return g_nRing > 0;
}

static int in_city(double x, double y) {
  int bIn = 0;
  for (int r = 0; r < g_nRing; r++) {
    const double *a = g_aRing[r].a;
    for (int i = 0, j = g_aRing[r].n - 1; i < g_aRing[r].n; j = i++) {
      double xi = a[2 * i], yi = a[2 * i + 1], xj = a[2 * j], yj = a[2 * j + 1];
      if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) bIn = !bIn;
    }
  }
  return bIn;
}

/* ---- territories: star-shaped polygons around a centre ----
 * Vertices at increasing angles, radii in metres; every ray from the centre
 * meets the boundary once, so the ring is simple, and a point at a fraction
 * of the boundary radius along any ray lies inside. */

struct terr {
  double cx, cy; /* centre, degrees */
  double kx, ky; /* metres per degree of lon and of lat here */
  int n;
  double aAng[MAXV], aRad[MAXV];
  double bbox[4];
};

static void terr_make(struct terr *t, double cx, double cy, double rMetres, int n) {
  t->cx = cx;
  t->cy = cy;
  t->ky = 111320.0;
  t->kx = 111320.0 * cos(cy * PI / 180);
  t->n = n;
  t->bbox[0] = t->bbox[1] = 1e9;
  t->bbox[2] = t->bbox[3] = -1e9;
  for (int i = 0; i < n; i++) {
    t->aAng[i] = 2 * PI * (i + (rnd() - 0.5) * 0.6) / n;
    t->aRad[i] = rMetres * (0.6 + 0.4 * rnd());
    double x = cx + t->aRad[i] * cos(t->aAng[i]) / t->kx;
    double y = cy + t->aRad[i] * sin(t->aAng[i]) / t->ky;
    if (x < t->bbox[0]) t->bbox[0] = x;
    if (y < t->bbox[1]) t->bbox[1] = y;
    if (x > t->bbox[2]) t->bbox[2] = x;
    if (y > t->bbox[3]) t->bbox[3] = y;
  }
}

static void terr_vertex(const struct terr *t, int i, double *px, double *py) {
  *px = t->cx + t->aRad[i] * cos(t->aAng[i]) / t->kx;
  *py = t->cy + t->aRad[i] * sin(t->aAng[i]) / t->ky;
}

/* 1 when every vertex lies in the city. */
static int terr_in_city(const struct terr *t) {
  for (int i = 0; i < t->n; i++) {
    double x, y;
    terr_vertex(t, i, &x, &y);
    if (!in_city(x, y)) return 0;
  }
  return 1;
}

/* A random point inside t (uniform enough: area-weighted along the ray). */
static void terr_sample(const struct terr *t, double *px, double *py) {
  double th = 2 * PI * rnd();
  int i = 0;
  /* the edge (i, i+1) whose angles bracket th, cyclically */
  double a0 = t->aAng[0]; /* may be below 0 */
  double thr = th < a0 ? th + 2 * PI : th >= a0 + 2 * PI ? th - 2 * PI : th;
  for (i = 0; i < t->n - 1; i++)
    if (thr >= t->aAng[i] && thr < t->aAng[i + 1]) break;
  int j = (i + 1) % t->n;
  double xi = t->aRad[i] * cos(t->aAng[i]), yi = t->aRad[i] * sin(t->aAng[i]);
  double xj = t->aRad[j] * cos(t->aAng[j]), yj = t->aRad[j] * sin(t->aAng[j]);
  double dx = cos(th), dy = sin(th);
  double ex = xj - xi, ey = yj - yi;
  double den = dx * ey - dy * ex;
  double s = den != 0 ? -(dx * yi - dy * xi) / den : 0;
  double qx = xi + s * ex, qy = yi + s * ey;
  double rEdge = qx * dx + qy * dy;
  double r = sqrt(rnd()) * 0.95 * rEdge;
  *px = t->cx + r * dx / t->kx;
  *py = t->cy + r * dy / t->ky;
}

/* WKT MULTIPOLYGON of t (heap). */
static char *terr_wkt(const struct terr *t) {
  size_t n = 64 + (size_t)(t->n + 1) * 40;
  char *z = malloc(n);
  size_t k = (size_t)snprintf(z, n, "MULTIPOLYGON(((");
  for (int i = 0; i <= t->n; i++) {
    double x, y;
    terr_vertex(t, i % t->n, &x, &y);
    k += (size_t)snprintf(z + k, n - k, "%s%.7f %.7f", i ? "," : "", x, y);
  }
  snprintf(z + k, n - k, ")))");
  return z;
}

/* ---- words ---- */

static const char *const azWord[] = {"Предлагаю",
                                     "сохранить",
                                     "деревья",
                                     "во",
                                     "дворе",
                                     "добавить",
                                     "детскую",
                                     "площадку",
                                     "освещение",
                                     "парковку",
                                     "тротуар",
                                     "скамейки",
                                     "остановку",
                                     "велодорожку",
                                     "сквер",
                                     "шумозащиту",
                                     "перенести",
                                     "границу",
                                     "участка",
                                     "школы",
                                     "поликлиники",
                                     "жилого",
                                     "квартала",
                                     "этажность",
                                     "не",
                                     "более",
                                     "пяти",
                                     "этажей",
                                     "выезд",
                                     "на",
                                     "улицу",
                                     "пешеходный",
                                     "переход",
                                     "светофор",
                                     "зелёную",
                                     "зону",
                                     "набережной",
                                     "Казанки",
                                     "озеленение",
                                     "парка",
                                     "ливневую",
                                     "канализацию",
                                     "реконструкцию",
                                     "дороги",
                                     "и",
                                     "для",
                                     "жителей",
                                     "района",
                                     "спортивную",
                                     "площадку",
                                     "контейнерную",
                                     "мусора",
                                     "доступную",
                                     "среду",
                                     "маломобильных",
                                     "граждан",
                                     "общественный",
                                     "транспорт",
                                     "маршрут",
                                     "автобуса",
                                     "разрешение",
                                     "отклонение",
                                     "от",
                                     "параметров"};
#define N_WORD ((int)(sizeof(azWord) / sizeof(azWord[0])))

static const char *const azFirst[] = {"Гульнара", "Ильдар", "Айгуль", "Рустем", "Алсу", "Марат",
                                      "Лилия",    "Тимур",  "Елена",  "Сергей", "Анна", "Дмитрий",
                                      "Ольга",    "Артур",  "Динара", "Ринат"};
static const char *const azLast[] = {
    "Хабибуллина", "Сафин",  "Галиева",   "Иванов",  "Петрова",  "Нуриев",  "Закирова", "Миннуллин",
    "Смирнова",    "Валиев", "Кузнецова", "Шарипов", "Ахметова", "Гарипов", "Фомина",   "Садыков"};
static const char *const azKind[] = {"territory_planning", "land_surveying", "landscaping_rules",
                                     "conditional_use_permit", "deviation_permit"};
static const char *const azKindTitle[] = {
    "Проект планировки территории", "Проект межевания", "Правила благоустройства",
    "Разрешение на условно разрешённый вид использования", "Отклонение от предельных параметров"};

static void body_text(char *z, size_t n) {
  size_t k = 0;
  int nw = 4 + rndi(27);
  z[0] = 0;
  for (int w = 0; w < nw && k + 40 < n; w++)
    k += (size_t)snprintf(z + k, n - k, "%s%s", azWord[rndi(N_WORD)], w + 1 < nw ? " " : ".");
}

/* ---- base64url for the session tokens ---- */

static void b64url(const unsigned char *a, int n, char *zOut) {
  static const char az[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  int k = 0;
  unsigned v = 0;
  int nBits = 0;
  for (int i = 0; i < n; i++) {
    v = (v << 8) | a[i];
    nBits += 8;
    while (nBits >= 6) {
      zOut[k++] = az[(v >> (nBits - 6)) & 63];
      nBits -= 6;
    }
  }
  if (nBits) zOut[k++] = az[(v << (6 - nBits)) & 63];
  zOut[k] = 0;
}

/* ---- the data ---- */

struct disc {
  struct terr t;
  enum kg_status status;
  int64_t id;
  int kind; /* -1: general plan */
  int nComment;
  int64_t closesAt;
  int *aResident; /* account indexes whose residence lies inside */
  int nResident, nResidentAlloc;
};

static struct disc *g_aD;
static int g_nD;

static void add_resident(struct disc *d, int iAcc) {
  if (d->nResident == d->nResidentAlloc) {
    d->nResidentAlloc = d->nResidentAlloc ? 2 * d->nResidentAlloc : 8;
    d->aResident = realloc(d->aResident, (size_t)d->nResidentAlloc * sizeof(int));
  }
  d->aResident[d->nResident++] = iAcc;
}

/* Number of public discussions whose bbox meets box b. */
static int count_disc_in(const double b[4]) {
  int n = 0;
  for (int i = 0; i < g_nD; i++) {
    const double *t = g_aD[i].t.bbox;
    if (g_aD[i].status != KG_ST_DRAFT && t[0] <= b[2] && t[2] >= b[0] && t[1] <= b[3] &&
        t[3] >= b[1])
      n++;
  }
  return n;
}

static double *g_aPx, *g_aPy; /* comment points */
static int *g_aPd;            /* their discussion index */
static long g_nP;

static long count_pts_in(const double b[4], int iDisc) {
  long n = 0;
  for (long i = 0; i < g_nP; i++)
    if ((iDisc < 0 || g_aPd[i] == iDisc) && g_aPx[i] >= b[0] && g_aPx[i] <= b[2] &&
        g_aPy[i] >= b[1] && g_aPy[i] <= b[3])
      n++;
  return n;
}

/* The square box around (x, y), half-size in metres, whose count (xCount)
 * is nearest nWant, by bisection on the size. */
static void box_for(double x, double y, long nWant, long (*xCount)(const double *, int), int iArg,
                    double aOut[4], long *pnGot) {
  double lo = 5, hi = 20000, ky = 111320.0, kx = 111320.0 * cos(y * PI / 180);
  long n = 0;
  for (int it = 0; it < 40; it++) {
    double h = (lo + hi) / 2;
    double b[4] = {x - h / kx, y - h / ky, x + h / kx, y + h / ky};
    n = xCount(b, iArg);
    memcpy(aOut, b, sizeof(b));
    if (n == nWant) break;
    if (n < nWant)
      lo = h;
    else
      hi = h;
  }
  *pnGot = n;
}
static long count_disc_cb(const double *b, int iArg) {
  (void)iArg;
  return count_disc_in(b);
}

static void die(const char *zWhat, enum kg_err rc) {
  fprintf(stderr, "bench-gen-city: %s failed: %s\n", zWhat, kg_err_name(rc));
  exit(1);
}
#define CHECK(what, call)                                                                          \
  do {                                                                                             \
    enum kg_err rc_ = (call);                                                                      \
    if (rc_ != KG_OK) die(what, rc_);                                                              \
  } while (0)

static double g_t0;
static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}
static void step(const char *zWhat) {
  fprintf(stderr, "bench-gen-city: %-36s %6.1f s (cpu %.1f s)\n", zWhat, now_s() - g_t0,
          (double)clock() / CLOCKS_PER_SEC);
}

static void fmt_box(char *z, size_t n, const double b[4]) {
  snprintf(z, n, "%.6f,%.6f,%.6f,%.6f", b[0], b[1], b[2], b[3]);
}

int main(int argc, char **argv) {
  const char *zDb = NULL, *zOut = NULL, *zGeo = "geodata";
  uint64_t seed = 1;
  int nDisc = 10000, nAcc = 100000, nSess = 40000;
  long nComment = 1000000, nBig = 120000;
  int64_t tRef = 1793491200; /* 2026-11-01T00:00:00Z */
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (a[0] != '-') {
      if (!zDb)
        zDb = a;
      else if (!zOut)
        zOut = a;
      continue;
    }
    if (!v) goto usage;
    i++;
    if (strcmp(a, "--seed") == 0)
      seed = strtoull(v, NULL, 10);
    else if (strcmp(a, "--discussions") == 0)
      nDisc = atoi(v);
    else if (strcmp(a, "--accounts") == 0)
      nAcc = atoi(v);
    else if (strcmp(a, "--comments") == 0)
      nComment = atol(v);
    else if (strcmp(a, "--big") == 0)
      nBig = atol(v);
    else if (strcmp(a, "--sessions") == 0)
      nSess = atoi(v);
    else if (strcmp(a, "--geodata") == 0)
      zGeo = v;
    else if (strcmp(a, "--now") == 0)
      tRef = atoll(v);
    else
      goto usage;
  }
  if (!zDb || !zOut || nDisc < 2 || nAcc < nDisc || nBig > nComment || nSess > nAcc) goto usage;
  g_rng = seed * 0x2545F4914F6CDD1Dull + 1;
  g_t0 = now_s();
  if (!load_city(zGeo)) {
    fprintf(stderr, "bench-gen-city: cannot read %s/kazan_districts_osm.geojson\n", zGeo);
    return 1;
  }

  /* ---- plan everything in memory first ---- */
  g_nD = nDisc;
  g_aD = calloc((size_t)nDisc, sizeof(*g_aD));
  /* 0: the general plan, a large territory around the centre */
  {
    struct disc *d = &g_aD[0];
    do
      terr_make(&d->t, 49.125 + 0.01 * gauss(), 55.79 + 0.005 * gauss(), 6000, 64);
    while (!in_city(d->t.cx, d->t.cy));
    d->status = KG_ST_OPEN;
    d->kind = -1;
  }
  for (int i = 1; i < nDisc; i++) {
    struct disc *d = &g_aD[i];
    double rM = 150 * pow(1000.0 / 150, rnd()); /* 300 m .. 2 km across */
    int n = 6 + rndi(19);
    for (int tries = 0;; tries++) {
      double x, y;
      if (rnd() < 0.6) { /* denser towards the centre */
        x = 49.12 + gauss() * 0.08;
        y = 55.79 + gauss() * 0.045;
      } else {
        x = g_city[0] + rnd() * (g_city[2] - g_city[0]);
        y = g_city[1] + rnd() * (g_city[3] - g_city[1]);
      }
      if (!in_city(x, y)) continue;
      terr_make(&d->t, x, y, rM, n);
      if (terr_in_city(&d->t) || tries > 50) break;
    }
    double u = rnd();
    d->status = u < 0.06   ? KG_ST_DRAFT
                : u < 0.10 ? KG_ST_ANNOUNCED
                : u < 0.22 ? KG_ST_CLOSED
                           : KG_ST_OPEN;
    d->kind = rndi(5);
  }
  /* residents: one per discussion first, the general plan 15%, the rest by
   * the same skew as the comments, half uniformly */
  int *aAccDisc = malloc((size_t)nAcc * sizeof(int));
  double *aAx = malloc((size_t)nAcc * sizeof(double)), *aAy = malloc((size_t)nAcc * sizeof(double));
  /* comment weights: Zipf over a random order of the commentable ones */
  int *aOrder = malloc((size_t)nDisc * sizeof(int)), nOrder = 0;
  for (int i = 1; i < nDisc; i++)
    if (g_aD[i].status == KG_ST_OPEN || g_aD[i].status == KG_ST_CLOSED) aOrder[nOrder++] = i;
  for (int i = nOrder - 1; i > 0; i--) {
    int j = rndi(i + 1), t = aOrder[i];
    aOrder[i] = aOrder[j];
    aOrder[j] = t;
  }
  double *aCum = malloc((size_t)nOrder * sizeof(double)), sum = 0;
  for (int r = 0; r < nOrder; r++)
    aCum[r] = (sum += 1.0 / (r + 1));
  long nRest = nComment - nBig, nGiven = 0;
  for (int r = 0; r < nOrder; r++) {
    long n = (long)((double)nRest * (1.0 / (r + 1)) / sum);
    g_aD[aOrder[r]].nComment = (int)n;
    nGiven += n;
  }
  for (int r = 0; nGiven < nRest; r = (r + 1) % nOrder, nGiven++)
    g_aD[aOrder[r]].nComment++;
  g_aD[0].nComment = (int)nBig;
  for (int a = 0; a < nAcc; a++) {
    int iD;
    if (a < nDisc)
      iD = a;
    else if (rnd() < 0.15)
      iD = 0;
    else if (rnd() < 0.5)
      iD = 1 + rndi(nDisc - 1);
    else { /* by the comment weights */
      double x = rnd() * sum;
      int lo = 0, hi = nOrder - 1;
      while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (aCum[mid] < x)
          lo = mid + 1;
        else
          hi = mid;
      }
      iD = aOrder[lo];
    }
    aAccDisc[a] = iD;
    terr_sample(&g_aD[iD].t, &aAx[a], &aAy[a]);
    add_resident(&g_aD[iD], a);
  }
  step("planned");

  /* ---- the store ---- */
  struct kg_store *p = NULL;
  int nVersion = 0;
  kg_auth_init();
  if (!kg_auth_password_verify(zPasswordHash, "bench-password-2026")) {
    fprintf(stderr, "bench-gen-city: the built-in password hash does not verify\n");
    return 1;
  }
  CHECK("open", kg_store_open(zDb, &p));
  CHECK("migrate", kg_store_migrate(p, &nVersion));
  CHECK("bulk mode", kg_store_bench_bulk(p, 1));
  int64_t idMod = 0;
  int64_t *aAccId = malloc((size_t)nAcc * sizeof(int64_t));
  CHECK("begin", kg_store_begin(p));
  CHECK("moderator",
        kg_store_account_insert(p, "bench-moderator@example.org", zPasswordHash,
                                "Модератор Бенчмарка", "moderator", tRef - 400 * DAY, &idMod));
  for (int a = 0; a < nAcc; a++) {
    char zEmail[64], zName[96];
    snprintf(zEmail, sizeof(zEmail), "citizen%06d@bench.example.org", a);
    snprintf(zName, sizeof(zName), "%s %s", azLast[a / 16 % 16], azFirst[a % 16]);
    CHECK("account", kg_store_account_insert(p, zEmail, zPasswordHash, zName, "citizen",
                                             tRef - 400 * DAY, &aAccId[a]));
    if (a % 25000 == 24999) {
      CHECK("commit", kg_store_commit(p));
      CHECK("begin", kg_store_begin(p));
    }
  }
  CHECK("commit", kg_store_commit(p));
  step("accounts");

  CHECK("begin", kg_store_begin(p));
  for (int i = 0; i < nDisc; i++) {
    struct disc *d = &g_aD[i];
    char zTitle[320], zPTitle[256], zNotice[512], zPlace[160];
    struct kg_project pr = {0};
    if (d->kind < 0) {
      snprintf(zPTitle, sizeof(zPTitle), "Генеральный план городского округа Казань");
      pr.zKind = "general_plan";
    } else {
      snprintf(zPTitle, sizeof(zPTitle), "%s, квартал %d", azKindTitle[d->kind], i);
      pr.zKind = (char *)azKind[d->kind];
    }
    pr.zTitle = zPTitle;
    pr.zDescription = "Материалы проекта для общественных обсуждений (данные бенчмарка).";
    pr.zOrganizer = "Управление архитектуры и градостроительства";
    int64_t idProject = 0;
    CHECK("project", kg_store_project_insert(p, &pr, idMod, &idProject));
    snprintf(zTitle, sizeof(zTitle), "Общественные обсуждения: %s", zPTitle);
    snprintf(zNotice, sizeof(zNotice), "Оповещение о начале общественных обсуждений проекта «%s».",
             zPTitle);
    snprintf(zPlace, sizeof(zPlace), "Экспозиция: ул. Кремлёвская, %d", 1 + i % 50);
    struct kg_discussion dd = {0};
    dd.projectId = idProject;
    dd.zTitle = zTitle;
    dd.zNotice = zNotice;
    int64_t tOpen = tRef - (370 + rndi(30)) * (int64_t)DAY;
    switch (d->status) {
    case KG_ST_CLOSED:
      dd.closesAt = tRef - (1 + rndi(20)) * (int64_t)DAY;
      break;
    case KG_ST_ANNOUNCED:
    case KG_ST_DRAFT:
      tOpen = tRef + 3000 * (int64_t)DAY;
      dd.closesAt = tOpen + 30 * DAY;
      break;
    default:
      dd.closesAt = tRef + 3650 * (int64_t)DAY;
    }
    dd.opensAt = tOpen;
    dd.announceAt = tOpen - 10 * DAY;
    struct kg_exposition ex = {zPlace, "пн–пт 9:00–18:00", tOpen, dd.closesAt};
    char *zWkt = terr_wkt(&d->t), zErr[256];
    enum kg_err rc =
        kg_store_discussion_insert(p, &dd, zWkt, &ex, 1, idMod, &d->id, zErr, sizeof(zErr));
    if (rc) {
      fprintf(stderr, "bench-gen-city: discussion %d: %s %s\n", i, kg_err_name(rc), zErr);
      return 1;
    }
    free(zWkt);
    enum kg_status from;
    static const enum kg_status aPath[] = {KG_ST_ANNOUNCED, KG_ST_OPEN};
    int64_t aAt[] = {dd.announceAt, dd.opensAt};
    d->closesAt = dd.closesAt;
    /* closed ones are closed after their comments are in (comments.c takes
     * comments only while open) */
    for (int k = 0; k < 2 && d->status != KG_ST_DRAFT && aPath[k] <= d->status; k++)
      CHECK("transition",
            kg_store_discussion_transition(p, d->id, aPath[k], k ? 0 : idMod, NULL, aAt[k], &from));
  }
  CHECK("commit", kg_store_commit(p));
  step("projects and discussions");

  CHECK("begin", kg_store_begin(p));
  for (int a = 0; a < nAcc; a++) {
    char zAddr[128];
    snprintf(zAddr, sizeof(zAddr), "г. Казань, квартал %d, дом %d", aAccDisc[a], 1 + a % 120);
    CHECK("residence", kg_store_residence_put(p, aAccId[a], zAddr, aAx[a], aAy[a], "point", 1,
                                              "identity_provider", NULL, tRef - 390 * DAY, NULL));
    if (a % 25000 == 24999) {
      CHECK("commit", kg_store_commit(p));
      CHECK("begin", kg_store_begin(p));
    }
  }
  CHECK("commit", kg_store_commit(p));
  step("residences");

  /* comments in time order, interleaved between discussions as they come:
   * pick each one's discussion by the remaining counts */
  g_nP = nComment;
  g_aPx = malloc((size_t)nComment * sizeof(double));
  g_aPy = malloc((size_t)nComment * sizeof(double));
  g_aPd = malloc((size_t)nComment * sizeof(int));
  {
    long nLeft = nComment;
    int *aLeft = malloc((size_t)nDisc * sizeof(int));
    for (int i = 0; i < nDisc; i++)
      aLeft[i] = g_aD[i].nComment;
    /* a Fenwick tree over the remaining counts for O(log n) picks */
    long *aF = calloc((size_t)nDisc + 1, sizeof(long));
    for (int i = 0; i < nDisc; i++)
      for (int k = i + 1; k <= nDisc; k += k & -k)
        aF[k] += aLeft[i];
    int nLog = 1;
    while ((1 << nLog) <= nDisc)
      nLog++;
    int64_t tStart = tRef - 365 * (int64_t)DAY;
    enum { BATCH = 1000 };
    struct row {
      char zBody[600], zWkt[80], zGj[96], zDisplay[96];
    } *aRow = malloc(BATCH * sizeof(*aRow));
    struct kg_comment_new *aNew = malloc(BATCH * sizeof(*aNew));
    int64_t *aAt = malloc(BATCH * sizeof(int64_t));
    int nRow = 0;
    CHECK("begin", kg_store_begin(p));
    for (long n = 0; n < nComment; n++, nLeft--) {
      long x = (long)(rnd() * (double)nLeft);
      int pos = 0;
      for (int b = nLog; b >= 0; b--) {
        int nx = pos + (1 << b);
        if (nx <= nDisc && aF[nx] <= x) {
          pos = nx;
          x -= aF[nx];
        }
      }
      int iD = pos; /* 0-based index */
      for (int k = iD + 1; k <= nDisc; k += k & -k)
        aF[k]--;
      struct disc *d = &g_aD[iD];
      int iAcc = d->aResident[rndi(d->nResident)];
      double lon, lat;
      terr_sample(&d->t, &lon, &lat);
      g_aPx[n] = lon;
      g_aPy[n] = lat;
      g_aPd[n] = iD;
      struct row *w = &aRow[nRow];
      body_text(w->zBody, sizeof(w->zBody));
      snprintf(w->zWkt, sizeof(w->zWkt), "POINT(%.7f %.7f)", lon, lat);
      snprintf(w->zGj, sizeof(w->zGj), "{\"type\":\"Point\",\"coordinates\":[%.7f,%.7f]}", lon,
               lat);
      snprintf(w->zDisplay, sizeof(w->zDisplay), "%s %.2s.", azFirst[iAcc % 16],
               azLast[iAcc / 16 % 16]);
      double u = rnd();
      struct kg_comment_new *c = &aNew[nRow];
      memset(c, 0, sizeof(*c));
      c->discussionId = d->id;
      c->authorId = aAccId[iAcc];
      c->zKind = u < 0.6 ? "proposal" : u < 0.9 ? "remark" : "question";
      c->zBody = w->zBody;
      c->zLocationWkt = w->zWkt;
      c->zLocationGeoJson = w->zGj;
      c->zBasis = "resident";
      c->zDisplayName = w->zDisplay;
      aAt[nRow] = tStart + (int64_t)((double)n * (365.0 * DAY) / (double)nComment);
      if (++nRow == BATCH || n + 1 == nComment) {
        CHECK("comments", kg_store_bench_comments_published(p, aNew, aAt, nRow, idMod));
        nRow = 0;
      }
      if (n % 100000 == 99999) {
        CHECK("commit", kg_store_commit(p));
        CHECK("begin", kg_store_begin(p));
        if (n % 200000 == 199999) step("comments...");
      }
    }
    CHECK("commit", kg_store_commit(p));
    free(aF);
    free(aLeft);
    free(aRow);
    free(aNew);
    free(aAt);
  }
  CHECK("begin", kg_store_begin(p));
  for (int i = 0; i < nDisc; i++) {
    enum kg_status from;
    if (g_aD[i].status == KG_ST_CLOSED)
      CHECK("close", kg_store_discussion_transition(p, g_aD[i].id, KG_ST_CLOSED, 0, NULL,
                                                    g_aD[i].closesAt, &from));
  }
  CHECK("commit", kg_store_commit(p));
  step("comments");

  /* sessions of citizens living in an open discussion's territory; each
   * line gives that discussion and a fresh point inside it */
  char zPath[1024];
  snprintf(zPath, sizeof(zPath), "%s/sessions.tsv", zOut);
  FILE *pSess = fopen(zPath, "w");
  if (!pSess) {
    fprintf(stderr, "bench-gen-city: cannot write %s\n", zPath);
    return 1;
  }
  CHECK("begin", kg_store_begin(p));
  int nMade = 0;
  for (int k = 0, a = 0; nMade < nSess && k < nAcc; k++) {
    a = (int)(((int64_t)k * 7919) %
              nAcc); /* a fixed permutation (7919 prime, nAcc not its multiple) */
    struct disc *d = &g_aD[aAccDisc[a]];
    if (d->status != KG_ST_OPEN) continue;
    unsigned char aTok[32], aCsrf[32], aHash[KG_AUTH_TOKEN_HASH_BYTES];
    char zTok[KG_AUTH_TOKEN_SIZE], zCsrf[KG_AUTH_CSRF_SIZE];
    for (int i = 0; i < 32; i++) {
      aTok[i] = (unsigned char)rnd64();
      aCsrf[i] = (unsigned char)rnd64();
    }
    b64url(aTok, 32, zTok);
    for (int i = 0; i < 32; i++)
      snprintf(zCsrf + 2 * i, 3, "%02x", aCsrf[i]);
    kg_auth_token_hash(zTok, aHash);
    CHECK("session",
          kg_store_session_insert(p, aHash, aAccId[a], zCsrf, tRef + 3650 * (int64_t)DAY));
    double lon, lat;
    terr_sample(&d->t, &lon, &lat);
    fprintf(pSess, "%s\t%s\t%lld\t%.7f\t%.7f\n", zTok, zCsrf, (long long)d->id, lon, lat);
    nMade++;
  }
  CHECK("commit", kg_store_commit(p));
  fclose(pSess);
  step("sessions");

  /* ---- what the scenarios need ---- */
  snprintf(zPath, sizeof(zPath), "%s/city.info", zOut);
  FILE *pInfo = fopen(zPath, "w");
  if (!pInfo) {
    fprintf(stderr, "bench-gen-city: cannot write %s\n", zPath);
    return 1;
  }
  char zBox[128];
  fprintf(pInfo, "seed=%llu\nnow=%lld\ndiscussions=%d\naccounts=%d\ncomments=%ld\nsessions=%d\n",
          (unsigned long long)seed, (long long)tRef, nDisc, nAcc, nComment, nMade);
  fprintf(pInfo, "big_discussion=%lld\nbig_comments=%d\n", (long long)g_aD[0].id, g_aD[0].nComment);
  /* detail: 64 public discussions, the big one first */
  fprintf(pInfo, "detail_ids=%lld", (long long)g_aD[0].id);
  for (int k = 1; k < 64;) {
    struct disc *d = &g_aD[1 + rndi(nDisc - 1)];
    if (d->status == KG_ST_DRAFT) continue;
    fprintf(pInfo, ",%lld", (long long)d->id);
    k++;
  }
  /* comments pages: the 16 busiest */
  fprintf(pInfo, "\nbusy_ids=%lld", (long long)g_aD[0].id);
  for (int r = 0; r < 15 && r < nOrder; r++)
    fprintf(pInfo, ",%lld", (long long)g_aD[aOrder[r]].id);
  fprintf(pInfo, "\nbusy_comments=%d", g_aD[0].nComment);
  for (int r = 0; r < 15 && r < nOrder; r++)
    fprintf(pInfo, ",%d", g_aD[aOrder[r]].nComment);
  /* discussion list: boxes around public discussions meeting about 30 */
  fprintf(pInfo, "\nlist_bboxes=");
  long nSum = 0;
  for (int k = 0; k < 16;) {
    struct disc *d = &g_aD[1 + rndi(nDisc - 1)];
    if (d->status == KG_ST_DRAFT) continue;
    double b[4];
    long n;
    box_for(d->t.cx, d->t.cy, 30, count_disc_cb, 0, b, &n);
    fmt_box(zBox, sizeof(zBox), b);
    fprintf(pInfo, "%s%s", k ? ";" : "", zBox);
    nSum += n;
    k++;
  }
  fprintf(pInfo, "\nlist_bbox_discussions_avg=%ld", nSum / 16);
  /* comments.geojson of the big discussion: boxes with about 100 of its
   * comments, around some of its comments */
  fprintf(pInfo, "\ngeojson_bboxes=");
  nSum = 0;
  for (int k = 0; k < 16;) {
    long i = (long)(rnd() * (double)nComment);
    if (g_aPd[i] != 0) continue;
    double b[4];
    long n;
    box_for(g_aPx[i], g_aPy[i], 100, count_pts_in, 0, b, &n);
    fmt_box(zBox, sizeof(zBox), b);
    fprintf(pInfo, "%s%s", k ? ";" : "", zBox);
    nSum += n;
    k++;
  }
  fprintf(pInfo, "\ngeojson_features_avg=%ld", nSum / 16);
  /* OGC comments layer: boxes with about 100 comments of any discussion */
  fprintf(pInfo, "\nogc_bboxes=");
  nSum = 0;
  for (int k = 0; k < 16; k++) {
    long i = (long)(rnd() * (double)nComment);
    double b[4];
    long n;
    box_for(g_aPx[i], g_aPy[i], 100, count_pts_in, -1, b, &n);
    fmt_box(zBox, sizeof(zBox), b);
    fprintf(pInfo, "%s%s", k ? ";" : "", zBox);
    nSum += n;
  }
  fprintf(pInfo, "\nogc_features_avg=%ld\n", nSum / 16);
  fclose(pInfo);
  CHECK("bulk mode off", kg_store_bench_bulk(p, 0));
  step("scenario parameters, checkpoint");
  kg_store_close(p);
  for (int i = 0; i < nDisc; i++)
    free(g_aD[i].aResident);
  free(g_aD);
  free(aAccDisc);
  free(aAx);
  free(aAy);
  free(aAccId);
  free(aOrder);
  free(aCum);
  free(g_aPx);
  free(g_aPy);
  free(g_aPd);
  for (int r = 0; r < g_nRing; r++)
    free(g_aRing[r].a);
  free(g_aRing);
  return 0;
usage:
  fprintf(stderr, "usage: bench-gen-city DB OUTDIR [--seed N] [--discussions N] [--accounts N]\n"
                  "       [--comments N] [--big N] [--sessions N] [--geodata DIR] [--now EPOCH]\n");
  return 2;
}
