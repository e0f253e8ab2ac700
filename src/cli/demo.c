/* demo.c: `kengash demo` — loads the demo data set: Kazan's districts, the
 * synthetic address registry and parcels from geodata/, demo accounts (with
 * verified residence and property), eight projects of different kinds with a
 * document each, and discussions in every lifecycle state. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_int.h"
#include "kengash/auth.h"
#include "kengash/cli.h"
#include "kengash/files.h"
#include "kengash/geo.h"

#define DAY 86400
#define DEMO_PASSWORD "kengash-demo-2026"
#define ORGANIZER "Управление архитектуры и градостроительства Исполнительного комитета г. Казани"

static const struct demo_account {
  const char *zEmail, *zName, *zRole;
} aAccount[] = {
    {"moderator@kengash.local", "Алсу Гарипова", "moderator"},
    {"admin@kengash.local", "Рустам Валиев", "admin"},
    {"citizen@kengash.local", "Гульнара Хайруллина", "citizen"},
    {"resident2@kengash.local", "Ильдар Сафин", "citizen"},
    {"outsider@kengash.local", "Пётр Иванов", "citizen"},
};

/* Where each discussion's territory comes from. */
enum terr_kind { TERR_BOX, TERR_DISTRICT };

static const struct demo_discussion {
  const char *zProject, *zKind, *zDescription, *zDocTitle;
  const char *zTitle;
  enum kg_status status;
  int announce, open, close; /* days relative to now */
  enum terr_kind terr;
  double lon, lat, halfM; /* TERR_BOX: centre and half side in metres */
  const char *zDistrict;  /* TERR_DISTRICT: the district's name */
} aDiscussion[] = {
    {"Проект планировки территории в границах улиц Баумана, Профсоюзная, Кремлёвская",
     "territory_planning",
     "Проект планировки исторического квартала: благоустройство пешеходной улицы Баумана, "
     "реконструкция дворов, размещение деревьев и малых архитектурных форм.",
     "Project plan: Baumana, Profsoyuznaya, Kremlevskaya streets",
     "Общественные обсуждения проекта планировки территории в границах улиц Баумана, "
     "Профсоюзная, Кремлёвская",
     KG_ST_OPEN, -12, -3, 20, TERR_BOX, 49.1195, 55.7885, 420, NULL},
    {"Внесение изменений в Правила землепользования и застройки в части Ново-Савиновского района",
     "land_use_rules",
     "Изменение границ территориальных зон и градостроительных регламентов в Ново-Савиновском "
     "районе.",
     "Land use rules amendment: Novo-Savinovsky district",
     "Общественные обсуждения изменений ПЗЗ в части Ново-Савиновского района", KG_ST_OPEN, -20, -10,
     30, TERR_DISTRICT, 0, 0, 0, "Ново-Савиновский"},
    {"Разрешение на условно разрешённый вид использования земельного участка в Московском районе",
     "conditional_use_permit",
     "Запрос на условно разрешённый вид использования «магазины» для земельного участка в "
     "Московском районе.",
     "Conditional use permit: Moskovsky district",
     "Общественные обсуждения по вопросу "
     "предоставления разрешения на условно разрешённый вид использования",
     KG_ST_ANNOUNCED, -2, 5, 25, TERR_BOX, 0, 0, 150, "Московский"},
    {"Правила благоустройства территории городского округа Казань (новая редакция)",
     "landscaping_rules",
     "Новая редакция правил благоустройства: озеленение, освещение, "
     "размещение нестационарных объектов.",
     "Landscaping rules: new edition",
     "Общественные обсуждения новой редакции Правил "
     "благоустройства (Советский район, пилот)",
     KG_ST_DRAFT, 5, 12, 60, TERR_BOX, 0, 0, 600, "Советский"},
    {"Проект межевания территории квартала в Кировском районе", "land_surveying",
     "Образование земельных участков под многоквартирными домами и территориями общего "
     "пользования.",
     "Land surveying project: Kirovsky district",
     "Общественные обсуждения проекта межевания "
     "территории квартала в Кировском районе",
     KG_ST_CLOSED, -40, -30, -5, TERR_BOX, 0, 0, 350, "Кировский"},
    {"Разрешение на отклонение от предельных параметров разрешённого строительства в "
     "Авиастроительном районе",
     "deviation_permit", "Уменьшение минимального отступа от границы земельного участка до 1 м.",
     "Deviation permit: Aviastroitelny district",
     "Общественные обсуждения по вопросу "
     "предоставления разрешения на отклонение от предельных параметров",
     KG_ST_PROTOCOL, -60, -50, -30, TERR_BOX, 0, 0, 120, "Авиастроительный"},
    {"Внесение изменений в Генеральный план городского округа Казань в части Приволжского "
     "района",
     "general_plan", "Изменение функциональных зон в Приволжском районе.",
     "General plan amendment: Privolzhsky district",
     "Общественные обсуждения изменений "
     "Генерального плана в части Приволжского района",
     KG_ST_CONCLUDED, -150, -140, -80, TERR_DISTRICT, 0, 0, 0, "Приволжский"},
    {"Проект планировки территории жилого квартала в Приволжском районе", "territory_planning",
     "Проект отозван организатором после оповещения.",
     "Project plan: residential quarter, Privolzhsky district",
     "Общественные обсуждения проекта "
     "планировки жилого квартала (отменены)",
     KG_ST_CANCELLED, -30, -20, 5, TERR_BOX, 0, 0, 300, "Приволжский"},
};

/* ---- a small valid one-page PDF ---- */

static char *make_pdf(const char *zTitle, size_t *pn) {
  struct kg_buf b;
  long aOff[6];
  kg_buf_init(&b, 1 << 16);
  kg_buf_puts(&b, "%PDF-1.4\n");
  aOff[1] = (long)b.n;
  kg_buf_puts(&b, "1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n");
  aOff[2] = (long)b.n;
  kg_buf_puts(&b, "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n");
  aOff[3] = (long)b.n;
  kg_buf_puts(&b, "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
                  "/Resources << /Font << /F1 5 0 R >> >> >> endobj\n");
  char zText[600];
  snprintf(zText, sizeof(zText),
           "BT /F1 14 Tf 50 780 Td (Kengash demo document) Tj 0 -24 Td /F1 11 Tf (%s) Tj "
           "0 -18 Td (Synthetic material for the demo data set.) Tj ET",
           zTitle);
  aOff[4] = (long)b.n;
  kg_buf_printf(&b, "4 0 obj << /Length %zu >> stream\n%s\nendstream endobj\n", strlen(zText),
                zText);
  aOff[5] = (long)b.n;
  kg_buf_puts(&b, "5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj\n");
  long xref = (long)b.n;
  kg_buf_puts(&b, "xref\n0 6\n0000000000 65535 f \n");
  for (int i = 1; i <= 5; i++)
    kg_buf_printf(&b, "%010ld 00000 n \n", aOff[i]);
  kg_buf_printf(&b, "trailer << /Size 6 /Root 1 0 R >>\nstartxref\n%ld\n%%%%EOF\n", xref);
  return kg_buf_detach(&b, pn);
}

/* ---- geometry helpers ---- */

/* A square of half side halfM metres around lon/lat as a GeoJSON Polygon. */
static json_t *box_json(double lon, double lat, double halfM) {
  double dLat = halfM / 111320.0, dLon = halfM / (111320.0 * cos(lat * M_PI / 180.0));
  return json_pack("{s:s, s:[[[f,f],[f,f],[f,f],[f,f],[f,f]]]}", "type", "Polygon", "coordinates",
                   lon - dLon, lat - dLat, lon + dLon, lat - dLat, lon + dLon, lat + dLat,
                   lon - dLon, lat + dLat, lon - dLon, lat - dLat);
}

static json_t *find_feature(json_t *pFc, const char *zKey, const char *zPrefix) {
  size_t i;
  json_t *pF;
  json_array_foreach(json_object_get(pFc, "features"), i, pF) {
    const char *z = json_string_value(json_object_get(json_object_get(pF, "properties"), zKey));
    if (z && strncmp(z, zPrefix, strlen(zPrefix)) == 0) return pF;
  }
  return NULL;
}

static json_t *load_geojson(const char *zDir, const char *zName) {
  char zPath[1024];
  json_error_t e;
  snprintf(zPath, sizeof(zPath), "%s/%s", zDir, zName);
  json_t *p = json_load_file(zPath, 0, &e);
  if (!p) fprintf(stderr, "kengash demo: %s: %s\n", zPath, e.text);
  return p;
}

/* ---- steps ---- */

static int has_projects(struct kg_store *pStore) {
  struct kg_stats st;
  return kg_store_stats(pStore, &st) == KG_OK && st.nProjects > 0;
}

static int create_accounts(struct kg_store *pStore, int64_t aId[]) {
  char zHash[KG_AUTH_HASH_SIZE];
  if (kg_auth_password_hash(DEMO_PASSWORD, zHash, sizeof(zHash)) != KG_OK) return 0;
  for (size_t i = 0; i < sizeof(aAccount) / sizeof(aAccount[0]); i++) {
    if (kg_store_account_insert(pStore, aAccount[i].zEmail, zHash, aAccount[i].zName,
                                aAccount[i].zRole, kg_time_now(), &aId[i]) != KG_OK) {
      fprintf(stderr, "kengash demo: cannot create the account %zu\n", i);
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
  } aRes[] = {{2, "г. Казань, ул. Баумана, д. 19"}, {4, NULL}};
  int64_t tNow = kg_time_now();
  for (size_t i = 0; i < sizeof(aRes) / sizeof(aRes[0]); i++) {
    double lon = 0, lat = 0;
    char zFound[512] = "";
    const char *zAddr = aRes[i].zAddress;
    if (zAddr) {
      if (kg_store_address_geocode(pStore, zAddr, &lon, &lat, zFound, sizeof(zFound)) != KG_OK) {
        fprintf(stderr, "kengash demo: the address registry lacks the demo address\n");
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
  char zErr[200];
  if (kg_store_parcel_wkt(pStore, "16:50:011101:101", &zWkt) != KG_OK ||
      kg_store_property_insert(pStore, aId[3], "16:50:011101:101", zWkt, "registry", 1, "moderator",
                               tNow, &idProp, zErr, sizeof(zErr)) != KG_OK) {
    fprintf(stderr, "kengash demo: cannot record the demo property\n");
    free(zWkt);
    return 0;
  }
  free(zWkt);
  return 1;
}

static int create_discussion(struct kg_store *pStore, const struct kg_config *pCfg,
                             struct kg_geo_ctx *pGeo, json_t *pDistricts, json_t *pAddresses,
                             const struct demo_discussion *pD, int64_t idModerator) {
  int ok = 0;
  json_t *pTerr = NULL;
  struct kg_geom g = {0};
  char *zWkt = NULL, *zGeoJson = NULL, *zPdf = NULL;
  char zErr[300];
  int64_t tNow = kg_time_now(), idProject = 0, idDisc = 0;

  struct kg_project pr = {0};
  pr.zTitle = (char *)pD->zProject;
  pr.zKind = (char *)pD->zKind;
  pr.zDescription = (char *)pD->zDescription;
  pr.zOrganizer = ORGANIZER;
  if (kg_store_project_insert(pStore, &pr, idModerator, &idProject) != KG_OK) goto out;

  size_t nPdf = 0;
  struct kg_document doc = {0};
  zPdf = make_pdf(pD->zDocTitle, &nPdf);
  if (kg_files_put(pCfg->zFiles, zPdf, nPdf, doc.zSha256) != KG_OK) {
    fprintf(stderr, "kengash demo: cannot write to %s\n", pCfg->zFiles);
    goto out;
  }
  doc.projectId = idProject;
  snprintf(doc.zFilename, sizeof(doc.zFilename), "%s", "Пояснительная записка.pdf");
  snprintf(doc.zMediaType, sizeof(doc.zMediaType), "application/pdf");
  doc.nSize = (int64_t)nPdf;
  doc.createdBy = idModerator;
  if (kg_store_document_insert(pStore, &doc) != KG_OK) goto out;

  if (pD->terr == TERR_DISTRICT) {
    json_t *pF = find_feature(pDistricts, "name", pD->zDistrict);
    if (!pF) goto out;
    pTerr = json_incref(json_object_get(pF, "geometry"));
  } else if (pD->zDistrict) {
    /* centred on the first registry address of that district */
    json_t *pF = find_feature(pAddresses, "district", pD->zDistrict);
    json_t *pC = pF ? json_object_get(json_object_get(pF, "geometry"), "coordinates") : NULL;
    if (!pC) goto out;
    pTerr = box_json(json_real_value(json_array_get(pC, 0)), json_real_value(json_array_get(pC, 1)),
                     pD->halfM);
  } else {
    pTerr = box_json(pD->lon, pD->lat, pD->halfM);
  }
  if (kg_geo_parse(pGeo, pTerr, NULL, NULL, &g, zErr, sizeof(zErr)) != KG_OK) {
    fprintf(stderr, "kengash demo: territory: %s\n", zErr);
    goto out;
  }
  zWkt = kg_geom_to_wkt(&g, 1);
  zGeoJson = kg_geom_to_geojson(&g, 1);
  struct kg_discussion d = {0};
  d.projectId = idProject;
  d.zTitle = (char *)pD->zTitle;
  d.announceAt = tNow + (int64_t)pD->announce * DAY;
  d.opensAt = tNow + (int64_t)pD->open * DAY;
  d.closesAt = tNow + (int64_t)pD->close * DAY;
  d.areaM2 = kg_geom_area_m2(&g);
  d.zTerritory = zGeoJson;
  d.zNotice = kg_xasprintf(
      "Оповещение о начале общественных обсуждений. %s. Организатор: %s. Экспозиция проекта "
      "открыта по адресу: г. Казань, ул. Кремлёвская, 1. Предложения и замечания принимаются на "
      "портале, в письменной форме и в книге учёта посетителей экспозиции.",
      pD->zProject, ORGANIZER);
  struct kg_exposition expo = {"Здание Исполнительного комитета, г. Казань, ул. Кремлёвская, 1, "
                               "каб. 101",
                               "пн–пт 9:00–17:00", d.opensAt, d.closesAt};
  enum kg_err rc = kg_store_discussion_insert(pStore, &d, zWkt, &expo, 1, idModerator, &idDisc,
                                              zErr, sizeof(zErr));
  free(d.zNotice);
  if (rc != KG_OK) {
    fprintf(stderr, "kengash demo: discussion: %s\n", zErr);
    goto out;
  }
  /* Walk the lifecycle so that the history is real. */
  static const enum kg_status aPath[] = {KG_ST_ANNOUNCED, KG_ST_OPEN, KG_ST_CLOSED, KG_ST_PROTOCOL,
                                         KG_ST_CONCLUDED};
  for (size_t i = 0; i < sizeof(aPath) / sizeof(aPath[0]) && pD->status != KG_ST_DRAFT; i++) {
    enum kg_status to = aPath[i], from;
    if (pD->status == KG_ST_CANCELLED && to == KG_ST_OPEN) to = KG_ST_CANCELLED;
    if (kg_store_discussion_transition(pStore, idDisc, to, idModerator, "демо", tNow, &from) !=
        KG_OK)
      goto out;
    if (to == pD->status || to == KG_ST_CANCELLED) break;
  }
  ok = 1;
out:
  if (!ok) fprintf(stderr, "kengash demo: cannot create the discussion \"%s\"\n", pD->zTitle);
  json_decref(pTerr);
  kg_geom_clear(&g);
  free(zWkt);
  free(zGeoJson);
  free(zPdf);
  return ok;
}

int kg_cli_demo(struct kg_store *pStore, const struct kg_config *pCfg) {
  static const struct {
    const char *zLayer, *zFile;
  } aLayer[] = {{"territories", "kazan_districts_osm.geojson"},
                {"addresses", "kazan_addresses_synthetic.geojson"},
                {"parcels", "kazan_parcels_synthetic.geojson"}};
  int64_t aId[sizeof(aAccount) / sizeof(aAccount[0])] = {0};
  json_t *pDistricts = NULL, *pAddresses = NULL;
  struct kg_geo_ctx *pGeo = NULL;
  int rc = 1;
  if (has_projects(pStore)) {
    printf("kengash demo: demo data already present; nothing done\n");
    return 0;
  }
  if (mkdir(pCfg->zFiles, 0750) != 0 && errno != EEXIST) {
    fprintf(stderr, "kengash demo: cannot create %s\n", pCfg->zFiles);
    return 1;
  }
  if (kg_store_begin(pStore) != KG_OK) return 1;
  for (size_t i = 0; i < sizeof(aLayer) / sizeof(aLayer[0]); i++) {
    char zPath[1024];
    long n = 0;
    snprintf(zPath, sizeof(zPath), "%s/%s", pCfg->zGeodata, aLayer[i].zFile);
    if (kg_cli_import_file(pStore, aLayer[i].zLayer, NULL, zPath, 0, &n) != 0) goto out;
    printf("%-12s %5ld features from %s\n", aLayer[i].zLayer, n, aLayer[i].zFile);
  }
  if (!(pDistricts = load_geojson(pCfg->zGeodata, aLayer[0].zFile)) ||
      !(pAddresses = load_geojson(pCfg->zGeodata, aLayer[1].zFile)) || !(pGeo = kg_geo_ctx_new()))
    goto out;
  if (!create_accounts(pStore, aId) || !create_participants(pStore, aId)) goto out;
  for (size_t i = 0; i < sizeof(aDiscussion) / sizeof(aDiscussion[0]); i++) {
    if (!create_discussion(pStore, pCfg, pGeo, pDistricts, pAddresses, &aDiscussion[i], aId[0]))
      goto out;
    printf("discussion   %-10s %s\n", kg_status_name(aDiscussion[i].status), aDiscussion[i].zTitle);
  }
  if (kg_store_commit(pStore) != KG_OK) goto out;
  printf("\ndemo accounts (password: %s):\n", DEMO_PASSWORD);
  for (size_t i = 0; i < sizeof(aAccount) / sizeof(aAccount[0]); i++)
    printf("  %-26s %-10s %s\n", aAccount[i].zEmail, aAccount[i].zRole, aAccount[i].zName);
  printf("citizen@ lives at ул. Баумана, 19 (inside the open central discussion); resident2@ "
         "holds parcel 16:50:011101:101 there; outsider@ lives outside every open territory.\n");
  rc = 0;
out:
  if (rc) {
    kg_store_rollback(pStore);
    fprintf(stderr, "kengash demo: failed; nothing was loaded\n");
  }
  kg_geo_ctx_free(pGeo);
  json_decref(pDistricts);
  json_decref(pAddresses);
  return rc;
}
