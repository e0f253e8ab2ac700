/* demo.c: `kengash demo` — loads the demo data set: Kazan's districts, the
 * synthetic address registry and parcels from geodata/, demo accounts (with
 * a verified residence and property for the eligibility scenarios), nine
 * projects of every kind with a document each, and one discussion per
 * project covering every lifecycle state, each with the story of its round
 * so far (demo_story.c): participants, comments, moderation, the protocol,
 * the conclusion. All in one transaction: either the whole set is loaded or
 * nothing is. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../api/api_reports.h"
#include "cli_int.h"
#include "demo_int.h"
#include "kengash/auth.h"
#include "kengash/cli.h"
#include "kengash/files.h"
#include "kengash/geo.h"

#define DAY 86400
#define HOUR 3600
#define KAZAN_UTC_OFFSET (3 * HOUR) /* MSK, no daylight saving */
#define DEMO_PASSWORD "kengash-demo-2026"
#define ORGANIZER "Управление архитектуры и градостроительства Исполнительного комитета г. Казани"
#define ORGANIZER_ASCII                                                                            \
  "Upravlenie arkhitektury i gradostroitelstva Ispolnitelnogo komiteta g. Kazani"
#define EXPO_PLACE "Здание Исполнительного комитета г. Казани, ул. Кремлёвская, 1, каб. 101"
#define EXPO_HOURS "пн–пт 9:00–17:00"
#define CENTRAL_ADDRESS "г. Казань, ул. Баумана, д. 19"
#define CENTRAL_PARCEL "16:50:011101:101"
/* The protocol is issued, and the conclusion published, this many days
 * after the exposition closes. */
#define PROTOCOL_AFTER 4
#define CONCLUSION_AFTER 10

static const struct demo_account {
  const char *zEmail, *zName, *zRole;
} aAccount[] = {
    {"moderator@kengash.local", "Гарипова Алсу", "moderator"},
    {"admin@kengash.local", "Валиев Рустам", "admin"},
    {"citizen@kengash.local", "Хайруллина Гульнара", "citizen"},
    {"resident2@kengash.local", "Сафин Ильдар", "citizen"},
    {"outsider@kengash.local", "Иванов Пётр", "citizen"},
};
#define N_ACCOUNT (sizeof(aAccount) / sizeof(aAccount[0]))

/* Where a discussion's territory comes from. */
enum terr_kind {
  TERR_BOX,      /* a rectangle around lon/lat */
  TERR_DISTRICT, /* a whole district's polygon from the districts file */
  TERR_PARCEL    /* a rectangle around a parcel from the parcels file */
};

/* One project with its discussion. In zProject and zTitle "{cad}" stands
 * for the cadastral number of the parcel the territory was built around. */
static const struct demo_discussion {
  const char *zKind;
  const char *zProject, *zDescription;
  const char *zTitle;
  const char *zDocTitle; /* ASCII: the PDF uses a standard font */
  enum kg_status status;
  int announce, open, close; /* days relative to today, Kazan time */
  enum terr_kind terr;
  double lon, lat;        /* TERR_BOX: the centre */
  const char *zDistrict;  /* TERR_DISTRICT, TERR_PARCEL: "Кировский район" */
  const char *zCadastral; /* TERR_PARCEL: this parcel, or NULL: ... */
  const char *zUse;       /* ... the district's first parcel of this use */
  double halfW, halfH;    /* TERR_BOX, TERR_PARCEL: half sides in metres */
} aDiscussion[] = {
    {"territory_planning",
     "Проект планировки территории в границах улиц Баумана, Профсоюзная, Кремлёвская",
     "Проект планировки исторического квартала в Вахитовском районе: благоустройство пешеходной "
     "улицы Баумана, реконструкция дворовых территорий, озеленение, размещение малых "
     "архитектурных форм и сохранение объектов культурного наследия.",
     "Общественные обсуждения проекта планировки территории в границах улиц Баумана, "
     "Профсоюзная, Кремлёвская",
     "Territory planning project: Baumana, Profsoyuznaya, Kremlevskaya streets", KG_ST_OPEN, -12,
     -3, 20, TERR_BOX, 49.1200, 55.7885, NULL, NULL, NULL, 420, 330},
    {"land_use_rules",
     "Внесение изменений в Правила землепользования и застройки городского округа Казань в части "
     "территории Ново-Савиновского района",
     "Изменение границ территориальных зон Ж2 и ОД1, уточнение предельных параметров "
     "разрешённого строительства в Ново-Савиновском районе.",
     "Общественные обсуждения проекта внесения изменений в Правила землепользования и застройки "
     "в части Ново-Савиновского района",
     "Land use and development rules amendment: Novo-Savinovsky district", KG_ST_OPEN, -20, -10, 30,
     TERR_DISTRICT, 0, 0, "Ново-Савиновский район", NULL, NULL, 0, 0},
    {"conditional_use_permit",
     "Разрешение на условно разрешённый вид использования земельного участка {cad}",
     "Правообладатель просит разрешить условно разрешённый вид использования «магазины» "
     "(код 4.4) для земельного участка с кадастровым номером " CENTRAL_PARCEL
     " по ул. Баумана в Вахитовском районе.",
     "Общественные обсуждения по вопросу предоставления разрешения на условно разрешённый вид "
     "использования земельного участка {cad}",
     "Conditional use permit: land plot 16:50:011101:101", KG_ST_ANNOUNCED, -2, 5, 25, TERR_PARCEL,
     0, 0, "Вахитовский район", CENTRAL_PARCEL, NULL, 150, 150},
    {"landscaping_rules",
     "Внесение изменений в Правила благоустройства территории городского округа Казань в части "
     "Советского района",
     "Требования к озеленению, наружному освещению, размещению нестационарных торговых объектов "
     "и детских площадок на территории Советского района.",
     "Общественные обсуждения проекта внесения изменений в Правила благоустройства в части "
     "Советского района",
     "Landscaping rules amendment: Sovetsky district", KG_ST_DRAFT, 5, 12, 60, TERR_DISTRICT, 0, 0,
     "Советский район", NULL, NULL, 0, 0},
    {"land_surveying", "Проект межевания территории квартала в Кировском районе (участок {cad})",
     "Образование земельных участков под многоквартирными жилыми домами и территориями общего "
     "пользования, установление красных линий.",
     "Общественные обсуждения проекта межевания территории квартала в Кировском районе",
     "Land surveying project: a quarter in Kirovsky district", KG_ST_CLOSED, -40, -30, -5,
     TERR_PARCEL, 0, 0, "Кировский район", NULL, "многоквартирный жилой дом", 350, 250},
    {"deviation_permit",
     "Разрешение на отклонение от предельных параметров разрешённого строительства на земельном "
     "участке {cad}",
     "Уменьшение минимального отступа от границы земельного участка с 3 м до 1 м для "
     "реконструкции индивидуального жилого дома в Авиастроительном районе.",
     "Общественные обсуждения по вопросу предоставления разрешения на отклонение от предельных "
     "параметров разрешённого строительства на земельном участке {cad}",
     "Deviation permit: individual house, Aviastroitelny district", KG_ST_PROTOCOL, -60, -50, -30,
     TERR_PARCEL, 0, 0, "Авиастроительный район", NULL, "ИЖС", 120, 120},
    {"general_plan",
     "Внесение изменений в Генеральный план городского округа Казань в части Приволжского района",
     "Изменение функциональных зон: перевод территорий промышленных предприятий в зоны "
     "смешанной и общественно-деловой застройки, развитие улично-дорожной сети.",
     "Общественные обсуждения проекта внесения изменений в Генеральный план городского округа "
     "Казань в части Приволжского района",
     "General plan amendment: Privolzhsky district", KG_ST_CONCLUDED, -150, -140, -80,
     TERR_DISTRICT, 0, 0, "Приволжский район", NULL, NULL, 0, 0},
    {"territory_planning",
     "Проект планировки территории жилого квартала в Приволжском районе (участок {cad})",
     "Размещение многоквартирных жилых домов, школы на 1100 мест и детского сада. Проект "
     "отозван организатором для доработки после опубликования оповещения.",
     "Общественные обсуждения проекта планировки территории жилого квартала в Приволжском районе",
     "Territory planning project: residential quarter, Privolzhsky district", KG_ST_CANCELLED, -6,
     3, 25, TERR_PARCEL, 0, 0, "Приволжский район", NULL, "многоквартирный жилой дом", 300, 250},
    {"conditional_use_permit",
     "Разрешение на условно разрешённый вид использования земельного участка {cad}",
     "Условно разрешённый вид использования «объекты торговли (торговые центры)» (код 4.2) для "
     "земельного участка в Московском районе.",
     "Общественные обсуждения по вопросу предоставления разрешения на условно разрешённый вид "
     "использования земельного участка {cad}",
     "Conditional use permit: retail, Moskovsky district", KG_ST_CONCLUDED, -100, -92, -70,
     TERR_PARCEL, 0, 0, "Московский район", NULL, "объект торговли", 150, 150},
};
#define N_DISCUSSION (sizeof(aDiscussion) / sizeof(aDiscussion[0]))

/* ---- text helpers ---- */

/* zTmpl with every "{cad}" replaced by zCad. Heap string (free()). */
static char *subst_cad(const char *zTmpl, const char *zCad) {
  struct kg_buf b;
  const char *p;
  kg_buf_init(&b, 1 << 16);
  while ((p = strstr(zTmpl, "{cad}")) != NULL) {
    kg_buf_append(&b, zTmpl, (size_t)(p - zTmpl));
    kg_buf_puts(&b, zCad ? zCad : "");
    zTmpl = p + 5;
  }
  kg_buf_puts(&b, zTmpl);
  return kg_buf_detach(&b, NULL);
}

/* t as a Kazan calendar date "DD.MM.YYYY" into zOut. */
static void kazan_date(int64_t t, char zOut[16]) {
  time_t tt = (time_t)(t + KAZAN_UTC_OFFSET);
  struct tm tm;
  gmtime_r(&tt, &tm);
  snprintf(zOut, 16, "%02d.%02d.%04d", tm.tm_mday % 100, (tm.tm_mon + 1) % 100,
           (tm.tm_year + 1900) % 10000);
}

/* ---- a small valid one-page PDF ---- */

/* Appends z as a PDF literal string body: ( ) and \ escaped, non-ASCII
 * bytes dropped (the standard Helvetica font has no Cyrillic). */
static void pdf_text(struct kg_buf *b, const char *z) {
  for (; *z; z++) {
    unsigned char c = (unsigned char)*z;
    if (c == '(' || c == ')' || c == '\\') kg_buf_append(b, "\\", 1);
    if (c >= 0x20 && c < 0x7f) kg_buf_append(b, z, 1);
  }
}

/* A one-page A4 PDF 1.4 with a few lines of Helvetica text; the xref
 * offsets are measured as the file is written. Heap bytes (free()), length
 * in *pn. */
static char *make_pdf(const char *zTitle, size_t *pn) {
  struct kg_buf b, s;
  long aOff[6];
  kg_buf_init(&b, 1 << 16);
  kg_buf_init(&s, 1 << 14);
  kg_buf_puts(&s, "BT\n/F1 16 Tf\n50 780 Td\n(Kengash: demo document) Tj\n/F1 11 Tf\n0 -28 Td\n(");
  pdf_text(&s, zTitle);
  kg_buf_puts(&s, ") Tj\n0 -18 Td\n(Organizer: ");
  pdf_text(&s, ORGANIZER_ASCII);
  kg_buf_puts(&s, ") Tj\n0 -18 Td\n(Explanatory note \\(poyasnitelnaya zapiska\\). Synthetic "
                  "material for the demo data set.) Tj\nET\n");
  if (kg_buf_failed(&s)) goto fail;

  /* the binary comment line marks the file as binary for transfer tools */
  kg_buf_puts(&b, "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n");
  aOff[1] = (long)b.n;
  kg_buf_puts(&b, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
  aOff[2] = (long)b.n;
  kg_buf_puts(&b, "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n");
  aOff[3] = (long)b.n;
  kg_buf_puts(&b, "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
                  "/Resources << /Font << /F1 5 0 R >> >> >>\nendobj\n");
  aOff[4] = (long)b.n;
  kg_buf_printf(&b, "4 0 obj\n<< /Length %zu >>\nstream\n", s.n);
  kg_buf_append(&b, s.a, s.n);
  kg_buf_puts(&b, "\nendstream\nendobj\n");
  aOff[5] = (long)b.n;
  kg_buf_puts(&b, "5 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                  "/Encoding /WinAnsiEncoding >>\nendobj\n");
  long xref = (long)b.n;
  /* each xref entry is exactly 20 bytes */
  kg_buf_puts(&b, "xref\n0 6\n0000000000 65535 f \n");
  for (int i = 1; i <= 5; i++)
    kg_buf_printf(&b, "%010ld 00000 n \n", aOff[i]);
  kg_buf_printf(&b, "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%ld\n%%%%EOF\n", xref);
  if (kg_buf_failed(&b)) goto fail;
  kg_buf_free(&s);
  return kg_buf_detach(&b, pn);
fail:
  kg_buf_free(&s);
  kg_buf_free(&b);
  return NULL;
}

/* ---- geometry helpers ---- */

/* A rectangle of half sides halfW x halfH metres around lon/lat as a GeoJSON
 * Polygon (counter-clockwise). New reference. */
static json_t *box_json(double lon, double lat, double halfW, double halfH) {
  double dLat = halfH / 111320.0, dLon = halfW / (111320.0 * cos(lat * M_PI / 180.0));
  return json_pack("{s:s, s:[[[f,f],[f,f],[f,f],[f,f],[f,f]]]}", "type", "Polygon", "coordinates",
                   lon - dLon, lat - dLat, lon + dLon, lat - dLat, lon + dLon, lat + dLat,
                   lon - dLon, lat + dLat, lon - dLon, lat - dLat);
}

/* The first feature whose property zKey equals zValue, and, when zKey2 is
 * not NULL, whose property zKey2 equals zValue2. Borrowed. */
static json_t *find_feature(json_t *pFc, const char *zKey, const char *zValue, const char *zKey2,
                            const char *zValue2) {
  size_t i;
  json_t *pF;
  json_array_foreach(json_object_get(pFc, "features"), i, pF) {
    json_t *pProps = json_object_get(pF, "properties");
    const char *z = json_string_value(json_object_get(pProps, zKey));
    const char *z2 = zKey2 ? json_string_value(json_object_get(pProps, zKey2)) : NULL;
    if (z && strcmp(z, zValue) == 0 && (!zKey2 || (z2 && strcmp(z2, zValue2) == 0))) return pF;
  }
  return NULL;
}

static json_t *load_geojson(const char *zDir, const char *zName) {
  char zPath[4096];
  json_error_t e;
  snprintf(zPath, sizeof(zPath), "%s/%s", zDir, zName);
  json_t *p = json_load_file(zPath, 0, &e);
  if (!p) fprintf(stderr, "kengash demo: %s: %s\n", zPath, e.text);
  return p;
}

/* The discussion's territory as a GeoJSON geometry (new reference) and, for
 * TERR_PARCEL, the parcel's cadastral number (borrowed from pParcels) in
 * *pzCad. NULL with a message when the reference data lacks what it needs. */
static json_t *territory_json(struct kg_geo_ctx *pGeo, json_t *pDistricts, json_t *pParcels,
                              const struct demo_discussion *pD, const char **pzCad) {
  json_t *pF;
  struct kg_geom g = {0};
  char zErr[256];
  *pzCad = NULL;
  switch (pD->terr) {
  case TERR_BOX:
    return box_json(pD->lon, pD->lat, pD->halfW, pD->halfH);
  case TERR_DISTRICT:
    if (!(pF = find_feature(pDistricts, "name", pD->zDistrict, NULL, NULL))) {
      fprintf(stderr, "kengash demo: the districts file lacks %s\n", pD->zDistrict);
      return NULL;
    }
    return json_incref(json_object_get(pF, "geometry"));
  case TERR_PARCEL:
    pF = pD->zCadastral ? find_feature(pParcels, "cadastral_number", pD->zCadastral, NULL, NULL)
                        : find_feature(pParcels, "district", pD->zDistrict, "use", pD->zUse);
    if (!pF) {
      fprintf(stderr, "kengash demo: the parcels file lacks a parcel for \"%s\"\n", pD->zTitle);
      return NULL;
    }
    if (kg_geo_parse(pGeo, json_object_get(pF, "geometry"), NULL, NULL, &g, zErr, sizeof(zErr)) !=
        KG_OK) {
      fprintf(stderr, "kengash demo: parcel geometry: %s\n", zErr);
      return NULL;
    }
    *pzCad =
        json_string_value(json_object_get(json_object_get(pF, "properties"), "cadastral_number"));
    json_t *pBox = box_json((g.minx + g.maxx) / 2, (g.miny + g.maxy) / 2, pD->halfW, pD->halfH);
    kg_geom_clear(&g);
    return pBox;
  }
  return NULL;
}

/* ---- steps ---- */

static int has_projects(struct kg_store *pStore) {
  struct kg_stats st;
  return kg_store_stats(pStore, &st) == KG_OK && st.nProjects > 0;
}

static int create_accounts(struct kg_store *pStore, int64_t aId[], char zHash[KG_AUTH_HASH_SIZE]) {
  if (kg_auth_password_hash(DEMO_PASSWORD, zHash, KG_AUTH_HASH_SIZE) != KG_OK) {
    fprintf(stderr, "kengash demo: cannot hash the demo password\n");
    return 0;
  }
  for (size_t i = 0; i < N_ACCOUNT; i++) {
    enum kg_err rc = kg_store_account_insert(pStore, aAccount[i].zEmail, zHash, aAccount[i].zName,
                                             aAccount[i].zRole, kg_time_now(), &aId[i]);
    if (rc != KG_OK) {
      fprintf(stderr, "kengash demo: cannot create the account %s: %s\n", aAccount[i].zEmail,
              rc == KG_ECONFLICT ? "the e-mail is taken" : kg_err_name(rc));
      return 0;
    }
  }
  return 1;
}

/* citizen: resident of the centre; resident2: right holder of the central
 * parcel; outsider: resident far from every open discussion. */
static int create_participants(struct kg_store *pStore, const int64_t aId[]) {
  static const struct {
    int iAccount;
    const char *zAddress;
  } aRes[] = {{2, CENTRAL_ADDRESS}, {4, NULL}};
  int64_t tNow = kg_time_now();
  for (size_t i = 0; i < sizeof(aRes) / sizeof(aRes[0]); i++) {
    double lon = 0, lat = 0;
    char zFound[512] = "";
    const char *zAddr = aRes[i].zAddress;
    if (zAddr) {
      if (kg_store_address_geocode(pStore, zAddr, &lon, &lat, zFound, sizeof(zFound)) != KG_OK) {
        fprintf(stderr, "kengash demo: the address registry lacks %s\n", zAddr);
        return 0;
      }
    } else {
      /* the outsider lives in the far south-east, in Приволжский район */
      zAddr = "г. Казань, ул. Рихарда Зорге, д. 120";
      lon = 49.2050;
      lat = 55.7330;
    }
    if (kg_store_residence_put(pStore, aId[aRes[i].iAccount], zAddr, lon, lat,
                               aRes[i].zAddress ? "registry" : "point", 1, "moderator",
                               "1985-04-12", tNow, NULL) != KG_OK) {
      fprintf(stderr, "kengash demo: cannot record a demo residence\n");
      return 0;
    }
  }
  char *zWkt = NULL;
  int64_t idProp = 0;
  char zErr[200] = "";
  if (kg_store_parcel_wkt(pStore, CENTRAL_PARCEL, &zWkt) != KG_OK) {
    fprintf(stderr, "kengash demo: the parcels lack %s\n", CENTRAL_PARCEL);
    return 0;
  }
  if (kg_store_property_insert(pStore, aId[3], CENTRAL_PARCEL, zWkt, "registry", 1, "moderator",
                               tNow, &idProp, zErr, sizeof(zErr)) != KG_OK) {
    fprintf(stderr, "kengash demo: cannot record the demo property %s: %s\n", CENTRAL_PARCEL,
            zErr[0] ? zErr : "the database refused it");
    free(zWkt);
    return 0;
  }
  free(zWkt);
  return 1;
}

/* Checks the demo table against the kind's statutory settings, so that a
 * change of settings shows here rather than as an unlawful demo. */
static int dates_fit_kind(struct kg_store *pStore, const struct demo_discussion *pD) {
  struct kg_project_kind k;
  if (kg_store_project_kind_get(pStore, pD->zKind, &k) != KG_OK) {
    fprintf(stderr, "kengash demo: unknown project kind %s\n", pD->zKind);
    return 0;
  }
  int nLen = pD->close - pD->open;
  if (pD->open - pD->announce < k.nNoticeDays || nLen < k.nMinDays || nLen > k.nMaxDays) {
    fprintf(stderr,
            "kengash demo: \"%s\": notice %d days (at least %d), exposition %d days (%d to %d)\n",
            pD->zTitle, pD->open - pD->announce, k.nNoticeDays, nLen, k.nMinDays, k.nMaxDays);
    return 0;
  }
  return 1;
}

/* Moves discussion id to status to at time at: the announcement and the
 * last steps by the moderator, the exposition's opening and closing by the
 * schedule; protocol and concluded issue their document first, as the API
 * does. */
static int move(struct demo_ctx *c, int64_t id, enum kg_status to, int64_t at) {
  enum kg_status from = KG_ST_DRAFT;
  struct kg_buf why;
  int nMails = 0;
  int64_t idActor = to == KG_ST_OPEN || to == KG_ST_CLOSED ? 0 : c->idModerator;
  kg_buf_init(&why, 4096);
  enum kg_err rc = kg_api_reports_move(c->pStore, id, to, idActor, NULL, at, c->zBaseUrl, 0, &why,
                                       &nMails, &from);
  if (rc != KG_OK)
    fprintf(stderr, "kengash demo: cannot move a discussion from %s to %s (%s)%s%s\n",
            kg_status_name(from), kg_status_name(to), kg_err_name(rc), why.n ? ": " : "",
            why.n ? why.a : "");
  kg_buf_free(&why);
  return rc == KG_OK;
}

/* Walks discussion id from draft to target, each step dated when it would
 * have happened, with the round's story told on the way: comments while
 * open, the conclusion's draft while in protocol. */
static int walk_lifecycle(struct demo_ctx *c, int64_t id, int64_t idDoc,
                          const struct kg_discussion *pDisc, enum kg_status target) {
  int64_t tProtocol = pDisc->closesAt + PROTOCOL_AFTER * DAY;
  int64_t tConcluded = pDisc->closesAt + CONCLUSION_AFTER * DAY;
  if (target == KG_ST_DRAFT) return 1;
  if (!move(c, id, KG_ST_ANNOUNCED, pDisc->announceAt)) return 0;
  /* withdrawn after the notice, before the exposition opened */
  if (target == KG_ST_CANCELLED) return move(c, id, KG_ST_CANCELLED, c->tNow - DAY);
  if (target < KG_ST_OPEN) return 1;
  if (!move(c, id, KG_ST_OPEN, pDisc->opensAt)) return 0;
  int64_t tEnd = target == KG_ST_OPEN ? c->tNow - 2 * HOUR : pDisc->closesAt - HOUR;
  if (!demo_story_exposition(c, id, idDoc, pDisc->opensAt + HOUR, tEnd, target == KG_ST_OPEN))
    return 0;
  if (target < KG_ST_CLOSED) return 1;
  if (!move(c, id, KG_ST_CLOSED, pDisc->closesAt)) return 0;
  if (target < KG_ST_PROTOCOL) return 1;
  if (!move(c, id, KG_ST_PROTOCOL, tProtocol)) return 0;
  if (target < KG_ST_CONCLUDED) return 1;
  return demo_story_conclusion(c, id, tProtocol + HOUR, tConcluded - HOUR) &&
         move(c, id, KG_ST_CONCLUDED, tConcluded);
}

/* Creates the project, its document and its discussion. */
static int create_discussion(struct demo_ctx *c, const struct kg_config *pCfg,
                             struct kg_geo_ctx *pGeo, json_t *pDistricts,
                             const struct demo_discussion *pD, int64_t tToday, int64_t *pId) {
  struct kg_store *pStore = c->pStore;
  int64_t idModerator = c->idModerator;
  int ok = 0;
  json_t *pTerr = NULL;
  struct kg_geom g = {0};
  char *zWkt = NULL, *zPdf = NULL, *zProject = NULL, *zTitle = NULL, *zNotice = NULL;
  char zErr[300] = "";
  const char *zCad = NULL;
  int64_t idProject = 0, idDisc = 0;
  enum kg_err rc;
  if (!dates_fit_kind(pStore, pD)) goto out;
  if (!(pTerr = territory_json(pGeo, pDistricts, c->pParcels, pD, &zCad))) goto out;
  zProject = subst_cad(pD->zProject, zCad);
  zTitle = subst_cad(pD->zTitle, zCad);

  struct kg_project pr = {0};
  pr.zTitle = zProject;
  pr.zKind = (char *)pD->zKind;
  pr.zDescription = (char *)pD->zDescription;
  pr.zOrganizer = ORGANIZER;
  if ((rc = kg_store_project_insert(pStore, &pr, idModerator, &idProject)) != KG_OK) {
    fprintf(stderr, "kengash demo: cannot create the project (%s)\n", kg_err_name(rc));
    goto out;
  }

  size_t nPdf = 0;
  struct kg_document doc = {0};
  if (!(zPdf = make_pdf(pD->zDocTitle, &nPdf))) goto out;
  if (kg_files_put(pCfg->zFiles, zPdf, nPdf, doc.zSha256) != KG_OK) {
    fprintf(stderr, "kengash demo: cannot write to %s\n", pCfg->zFiles);
    goto out;
  }
  doc.projectId = idProject;
  snprintf(doc.zFilename, sizeof(doc.zFilename), "%s", "Пояснительная записка.pdf");
  snprintf(doc.zMediaType, sizeof(doc.zMediaType), "application/pdf");
  doc.nSize = (int64_t)nPdf;
  doc.createdBy = idModerator;
  if ((rc = kg_store_document_insert(pStore, &doc)) != KG_OK) {
    fprintf(stderr, "kengash demo: cannot record the document (%s)\n", kg_err_name(rc));
    goto out;
  }

  struct kg_geo_limits lim = {0, KG_GEOM_AREAL};
  if (kg_geo_parse(pGeo, pTerr, NULL, &lim, &g, zErr, sizeof(zErr)) != KG_OK) {
    fprintf(stderr, "kengash demo: territory: %s\n", zErr);
    goto out;
  }
  zWkt = kg_geom_to_wkt(&g, 1);

  struct kg_discussion d = {0};
  d.projectId = idProject;
  d.zTitle = zTitle;
  /* announced at 9:00, opened at 9:00, closed at 18:00, Kazan time */
  d.announceAt = tToday + (int64_t)pD->announce * DAY + 9 * HOUR;
  d.opensAt = tToday + (int64_t)pD->open * DAY + 9 * HOUR;
  d.closesAt = tToday + (int64_t)pD->close * DAY + 18 * HOUR;
  d.areaM2 = kg_geom_area_m2(&g);
  d.zTerritory = kg_geom_to_geojson(&g, 1);
  char zOpen[16], zClose[16];
  kazan_date(d.opensAt, zOpen);
  kazan_date(d.closesAt, zClose);
  zNotice = kg_xasprintf(
      "Оповещение о начале общественных обсуждений.\n"
      "На общественные обсуждения представляется проект: %s.\n"
      "Организатор общественных обсуждений: %s.\n"
      "Срок проведения экспозиции и приёма предложений и замечаний: с %s по %s.\n"
      "Экспозиция проекта: %s, %s.\n"
      "Предложения и замечания принимаются на портале Kengash, в письменной форме в адрес "
      "организатора и записью в книге учёта посетителей экспозиции. Участники — граждане, "
      "постоянно проживающие на территории, в отношении которой подготовлен проект, и "
      "правообладатели находящихся в её границах земельных участков и объектов капитального "
      "строительства.",
      zProject, ORGANIZER, zOpen, zClose, EXPO_PLACE, EXPO_HOURS);
  d.zNotice = zNotice;
  struct kg_exposition expo = {EXPO_PLACE, EXPO_HOURS, d.opensAt, d.closesAt};
  rc = kg_store_discussion_insert(pStore, &d, zWkt, &expo, 1, idModerator, &idDisc, zErr,
                                  sizeof(zErr));
  free(d.zTerritory);
  if (rc != KG_OK) {
    fprintf(stderr, "kengash demo: %s (%s)\n", zErr, kg_err_name(rc));
    goto out;
  }
  *pId = idDisc;
  if (!walk_lifecycle(c, idDisc, doc.id, &d, pD->status)) goto out;
  ok = 1;
out:
  if (!ok) fprintf(stderr, "kengash demo: cannot create the discussion \"%s\"\n", pD->zTitle);
  json_decref(pTerr);
  kg_geom_clear(&g);
  free(zWkt);
  free(zPdf);
  free(zProject);
  free(zTitle);
  free(zNotice);
  return ok;
}

static int print_discussion(void *pArg, const struct kg_discussion *p) {
  (void)pArg;
  printf("  %3lld  %-10s %-23s %s\n", (long long)p->id, kg_status_name(p->status),
         p->zProjectKind ? p->zProjectKind : "", p->zTitle);
  return 0;
}

static void print_summary(struct kg_store *pStore, const long anLayer[3], int nPeople) {
  struct kg_stats st;
  printf("\ndemo data loaded:\n");
  printf("  districts    %5ld\n  addresses    %5ld\n  parcels      %5ld\n", anLayer[0], anLayer[1],
         anLayer[2]);
  printf("  accounts     %5zu and %d participants\n", N_ACCOUNT, nPeople);
  if (kg_store_stats(pStore, &st) != KG_OK) return;
  printf("  projects     %5lld\n", (long long)st.nProjects);
  printf("  comments     %5lld published, from %lld participants\n", (long long)st.nComments,
         (long long)st.nParticipants);
  printf("  discussions  %5lld:", (long long)st.nDiscussions);
  for (int i = 0; i < KG_ST__COUNT; i++)
    printf("%s %s %lld", i ? "," : "", kg_status_name((enum kg_status)i),
           (long long)st.aDiscussions[i]);
  printf("\n");
}

int kg_cli_demo(struct kg_store *pStore, const struct kg_config *pCfg) {
  static const struct {
    const char *zLayer, *zFile;
  } aLayer[] = {{"territories", "kazan_districts_osm.geojson"},
                {"addresses", "kazan_addresses_synthetic.geojson"},
                {"parcels", "kazan_parcels_synthetic.geojson"}};
  int64_t aId[N_ACCOUNT] = {0}, aDisc[N_DISCUSSION] = {0};
  long anLayer[3] = {0, 0, 0};
  json_t *pDistricts = NULL, *pParcels = NULL, *pAddresses = NULL;
  struct kg_geo_ctx *pGeo = NULL;
  char zHash[KG_AUTH_HASH_SIZE];
  int rc = 1, bTx = 0;
  int64_t tNow = kg_time_now();
  /* midnight today in Kazan, as UTC seconds */
  int64_t tToday = (tNow + KAZAN_UTC_OFFSET) / DAY * DAY - KAZAN_UTC_OFFSET;
  struct demo_ctx c = {0};
  c.pStore = pStore;
  c.zBaseUrl = pCfg->zBaseUrl;
  c.zHash = zHash;
  c.zModerator = aAccount[0].zName;
  c.tNow = tNow;
  demo_rng_seed(&c.rng, 2026);

  if (has_projects(pStore)) {
    printf("kengash demo: demo data already present; nothing done\n");
    return 0;
  }
  if (mkdir(pCfg->zFiles, 0750) != 0 && errno != EEXIST) {
    fprintf(stderr, "kengash demo: cannot create %s: %s\n", pCfg->zFiles, strerror(errno));
    return 1;
  }
  if (!(pDistricts = load_geojson(pCfg->zGeodata, aLayer[0].zFile)) ||
      !(pParcels = load_geojson(pCfg->zGeodata, aLayer[2].zFile)) ||
      !(pAddresses = load_geojson(pCfg->zGeodata, aLayer[1].zFile)) || !(pGeo = kg_geo_ctx_new()))
    goto out;
  c.pAddresses = pAddresses;
  c.pParcels = pParcels;
  if (kg_store_begin(pStore) != KG_OK) {
    fprintf(stderr, "kengash demo: the database is busy\n");
    goto out;
  }
  bTx = 1;
  for (size_t i = 0; i < sizeof(aLayer) / sizeof(aLayer[0]); i++) {
    char zPath[4096];
    snprintf(zPath, sizeof(zPath), "%s/%s", pCfg->zGeodata, aLayer[i].zFile);
    if (kg_cli_import_file(pStore, aLayer[i].zLayer, NULL, zPath, 0, &anLayer[i]) != 0) goto out;
  }
  if (!create_accounts(pStore, aId, zHash) || !create_participants(pStore, aId)) goto out;
  c.idModerator = aId[0];
  for (size_t i = 0; i < N_DISCUSSION; i++) {
    if (!create_discussion(&c, pCfg, pGeo, pDistricts, &aDiscussion[i], tToday, &aDisc[i]))
      goto out;
  }
  if (!demo_story_extras(&c, aDisc[0])) goto out;
  if (kg_store_commit(pStore) != KG_OK) {
    fprintf(stderr, "kengash demo: the commit failed\n");
    goto out;
  }
  bTx = 0;

  print_summary(pStore, anLayer, c.nPeople);
  printf("\ndiscussions:\n");
  struct kg_discussion_filter f = {0};
  f.nLimit = 500;
  kg_store_discussion_list(pStore, &f, print_discussion, NULL);
  printf("\ndemo accounts:\n  %-26s %-18s %-10s %s\n", "e-mail", "password", "role", "name");
  for (size_t i = 0; i < N_ACCOUNT; i++)
    printf("  %-26s %-18s %-10s %s\n", aAccount[i].zEmail, DEMO_PASSWORD, aAccount[i].zRole,
           aAccount[i].zName);
  printf("  " DEMO_PARTICIPANT_EMAIL " ... " DEMO_PARTICIPANT_EMAIL
         " (%s, citizen): the round's participants\n",
         1, c.nPeople, DEMO_PASSWORD);
  printf("\ncitizen@ lives at " CENTRAL_ADDRESS " (inside the open central discussion); "
         "resident2@ holds parcel " CENTRAL_PARCEL " there; outsider@ lives outside every open "
         "territory.\n");
  rc = 0;
out:
  if (rc) {
    if (bTx) kg_store_rollback(pStore);
    fprintf(stderr, "kengash demo: failed; nothing was loaded\n");
  }
  kg_geo_ctx_free(pGeo);
  json_decref(pDistricts);
  json_decref(pParcels);
  json_decref(pAddresses);
  return rc;
}
