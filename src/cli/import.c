/* import.c: `kengash import` — loads a reference layer (address registry,
 * cadastral parcels, named territories) from a GeoJSON FeatureCollection,
 * transforming coordinates to EPSG:4326 with PROJ. The address register
 * also comes as a GAR/FIAS-style CSV file (id,address,lon,lat) or as
 * GeoJSON of OSM points with addr:* tags. All or nothing: one transaction,
 * rolled back at the first bad feature or row, which is reported by its
 * index or line number (never by its text: addresses may be personal). */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli_int.h"
#include "kengash/cli.h"
#include "kengash/geo.h"

#define MAX_FILE_BYTES (512LL * 1024 * 1024)
#define MAX_PROP_CHARS 500
#define MAX_ADDRESS_CHARS 500
#define MAX_DISTRICT_CHARS 120
#define MAX_EXT_ID_BYTES 63
#define MAX_OSM_TAG_CHARS 200
#define MAX_POSTCODE_CHARS 12
#define PROGRESS_ROWS 50000

/* CSV: at most this many columns and bytes of one field as written. */
#define CSV_MAX_FIELDS 16
#define CSV_MAX_FIELD_BYTES 2048

enum layer { LAYER_ADDRESSES, LAYER_PARCELS, LAYER_TERRITORIES };

static int parse_layer(const char *z, enum layer *p) {
  if (strcmp(z, "addresses") == 0)
    *p = LAYER_ADDRESSES;
  else if (strcmp(z, "parcels") == 0)
    *p = LAYER_PARCELS;
  else if (strcmp(z, "territories") == 0)
    *p = LAYER_TERRITORIES;
  else
    return 0;
  return 1;
}

/* A string property, or NULL when absent, not a string or too long. */
static const char *prop_str(json_t *pProps, const char *zName) {
  const char *z = json_string_value(json_object_get(pProps, zName));
  if (!z || !*z || strlen(z) > MAX_PROP_CHARS * 4 || !kg_utf8_valid_text(z, strlen(z))) return NULL;
  return z;
}

/* Checks text z of field zField: one line of UTF-8 text of at most
 * nMaxChars code points (nMaxBytes bytes when nonzero). Returns 1, or 0
 * with why in zErr. */
static int text_ok(const char *zField, const char *z, size_t nMaxChars, size_t nMaxBytes,
                   char *zErr, size_t nErr) {
  size_t n = strlen(z);
  if (!kg_utf8_valid_text(z, n) || strpbrk(z, "\t\r\n")) {
    snprintf(zErr, nErr, "%s: must be one line of UTF-8 text", zField);
    return 0;
  }
  if ((nMaxBytes && n > nMaxBytes) || kg_utf8_len(z) > nMaxChars) {
    if (nMaxBytes)
      snprintf(zErr, nErr, "%s: longer than %zu bytes", zField, nMaxBytes);
    else
      snprintf(zErr, nErr, "%s: longer than %zu characters", zField, nMaxChars);
    return 0;
  }
  return 1;
}

/* Optional string property zName: 1 with *pz (NULL when absent or
 * empty), or 0 with why in zErr (not a string, too long, not one line). */
static int prop_opt(json_t *pProps, const char *zName, size_t nMaxChars, size_t nMaxBytes,
                    const char **pz, char *zErr, size_t nErr) {
  json_t *p = json_object_get(pProps, zName);
  char zField[64];
  snprintf(zField, sizeof(zField), "properties.%s", zName);
  *pz = NULL;
  if (!p || json_is_null(p)) return 1;
  if (!json_is_string(p) || strlen(json_string_value(p)) != json_string_length(p)) {
    snprintf(zErr, nErr, "%s: must be a string", zField);
    return 0;
  }
  if (!text_ok(zField, json_string_value(p), nMaxChars, nMaxBytes, zErr, nErr)) return 0;
  *pz = *json_string_value(p) ? json_string_value(p) : NULL;
  return 1;
}

/* ---- the address register ---- */

/* Inserts one address; on a conflict says whether the id or the address
 * was there already. zWhere prefixes the message ("properties." or ""). */
static enum kg_err address_insert(struct kg_store *pStore, const char *zAddress,
                                  const char *zDistrict, const char *zExtId, const char *zWkt,
                                  const char *zIdField, const char *zAddrField, char *zErr,
                                  size_t nErr) {
  enum kg_err rc = kg_store_address_insert_ext(pStore, zAddress, zDistrict, zExtId, zWkt);
  if (rc == KG_ECONFLICT) {
    struct kg_address_hit *pHit = kg_xmalloc(sizeof(*pHit));
    int bId = zExtId && kg_store_address_by_ext_id(pStore, zExtId, pHit) == KG_OK;
    snprintf(zErr, nErr, "%s: already in the register", bId ? zIdField : zAddrField);
    free(pHit);
  }
  return rc;
}

/* Words that start a settlement's name in addr:city ("село Высокая Гора"):
 * such a name is kept as it is; any other gets the register's "г. ". */
static const char *const azSettlement[] = {"г.", "город", "с.",      "село",    "д.",  "деревня",
                                           "п.", "пос.",  "посёлок", "поселок", "пгт", "пгт.",
                                           "рп", "рп.",   "станица", "хутор"};

/* Street type words moved to the front and abbreviated as the register
 * writes them: "Кремлёвская улица" -> "ул. Кремлёвская". */
static const struct {
  const char *zWord, *zUpper, *zShort;
} aStreetType[] = {{"улица", "Улица", "ул."}, {"переулок", "Переулок", "пер."}};

/* The street of addr:street in the register's style, into z[n]. */
static void street_style(const char *zStreet, char *z, size_t n) {
  size_t nStreet = strlen(zStreet);
  for (size_t i = 0; i < sizeof(aStreetType) / sizeof(aStreetType[0]); i++) {
    for (int bUpper = 0; bUpper < 2; bUpper++) {
      const char *zW = bUpper ? aStreetType[i].zUpper : aStreetType[i].zWord;
      size_t nW = strlen(zW);
      if (nStreet > nW + 1 && strncmp(zStreet, zW, nW) == 0 && zStreet[nW] == ' ') {
        snprintf(z, n, "%s %s", aStreetType[i].zShort, zStreet + nW + 1);
        return;
      }
      if (nStreet > nW + 1 && strcmp(zStreet + nStreet - nW, zW) == 0 &&
          zStreet[nStreet - nW - 1] == ' ') {
        snprintf(z, n, "%s %.*s", aStreetType[i].zShort, (int)(nStreet - nW - 1), zStreet);
        return;
      }
    }
  }
  snprintf(z, n, "%s", zStreet);
}

/* Composes the address of an OSM point from its addr:* tags in the
 * register's style: "г. Казань, ул. Баумана, д. 19". addr:postcode is
 * checked and not kept (the register has none). Returns 1, or 0 with why
 * in zErr. */
static int osm_address(json_t *pProps, char *z, size_t n, const char **pzDistrict, char *zErr,
                       size_t nErr) {
  const char *zCity, *zStreet, *zPlace, *zHouse, *zPost;
  if (!prop_opt(pProps, "addr:city", MAX_OSM_TAG_CHARS, 0, &zCity, zErr, nErr) ||
      !prop_opt(pProps, "addr:street", MAX_OSM_TAG_CHARS, 0, &zStreet, zErr, nErr) ||
      !prop_opt(pProps, "addr:place", MAX_OSM_TAG_CHARS, 0, &zPlace, zErr, nErr) ||
      !prop_opt(pProps, "addr:housenumber", 40, 0, &zHouse, zErr, nErr) ||
      !prop_opt(pProps, "addr:postcode", MAX_POSTCODE_CHARS, 0, &zPost, zErr, nErr) ||
      !prop_opt(pProps, "addr:district", MAX_DISTRICT_CHARS, 0, pzDistrict, zErr, nErr))
    return 0;
  if (!zStreet) zStreet = zPlace; /* a village's houses are numbered by place */
  const char *zMissing = !zCity     ? "addr:city"
                         : !zStreet ? "addr:street"
                         : !zHouse  ? "addr:housenumber"
                                    : NULL;
  if (zMissing) {
    snprintf(zErr, nErr,
             "properties.%s: required (an \"address\" property, or the OSM tags addr:city, "
             "addr:street and addr:housenumber)",
             zMissing);
    return 0;
  }
  if (zPost && strspn(zPost, "0123456789 ") != strlen(zPost)) {
    snprintf(zErr, nErr, "properties.addr:postcode: digits only");
    return 0;
  }
  int bKeep = 0;
  for (size_t i = 0; i < sizeof(azSettlement) / sizeof(azSettlement[0]); i++) {
    size_t nW = strlen(azSettlement[i]);
    if (strncasecmp(zCity, azSettlement[i], nW) == 0 && zCity[nW] == ' ') bKeep = 1;
  }
  char zStyled[4 * MAX_OSM_TAG_CHARS + 16];
  street_style(zStreet, zStyled, sizeof(zStyled));
  snprintf(z, n, "%s%s, %s, д. %s", bKeep ? "" : "г. ", zCity, zStyled, zHouse);
  if (kg_utf8_len(z) > MAX_ADDRESS_CHARS) {
    snprintf(zErr, nErr, "the address composed of addr:* is longer than %d characters",
             MAX_ADDRESS_CHARS);
    return 0;
  }
  return 1;
}

/* The OSM id of a feature ("@id" from overpass, else the feature's "id"),
 * into z[n]; "" when none. */
static int osm_id(json_t *pFeature, json_t *pProps, char *z, size_t n, char *zErr, size_t nErr) {
  const char *zId;
  json_t *pId = json_object_get(pFeature, "id");
  z[0] = 0;
  if (!prop_opt(pProps, "@id", MAX_EXT_ID_BYTES, MAX_EXT_ID_BYTES, &zId, zErr, nErr)) return 0;
  if (zId)
    snprintf(z, n, "%s", zId);
  else if (json_is_integer(pId))
    snprintf(z, n, "%" JSON_INTEGER_FORMAT, json_integer_value(pId));
  else if (json_is_string(pId) && *json_string_value(pId)) {
    if (!text_ok("id", json_string_value(pId), MAX_EXT_ID_BYTES, MAX_EXT_ID_BYTES, zErr, nErr))
      return 0;
    snprintf(z, n, "%s", json_string_value(pId));
  }
  return 1;
}

/* An address feature: an "address" property (with optional "district" and
 * "ext_id"), else OSM addr:* tags. */
static enum kg_err address_feature(struct kg_store *pStore, json_t *pFeature, json_t *pProps,
                                   const char *zWkt, char *zErr, size_t nErr) {
  const char *zAddr, *zDistrict = NULL, *zExt = NULL;
  char zId[MAX_EXT_ID_BYTES + 1] = "";
  char *zComposed = NULL;
  enum kg_err rc = KG_EINVAL;
  json_t *pAddr = json_object_get(pProps, "address");
  if (pAddr && !json_is_null(pAddr)) {
    if (!prop_opt(pProps, "address", MAX_ADDRESS_CHARS, 0, &zAddr, zErr, nErr) ||
        !prop_opt(pProps, "district", MAX_DISTRICT_CHARS, 0, &zDistrict, zErr, nErr) ||
        !prop_opt(pProps, "ext_id", MAX_EXT_ID_BYTES, MAX_EXT_ID_BYTES, &zExt, zErr, nErr))
      return KG_EINVAL;
    if (!zAddr) {
      snprintf(zErr, nErr, "properties.address: a non-empty string is required");
      return KG_EINVAL;
    }
    return address_insert(pStore, zAddr, zDistrict, zExt, zWkt, "properties.ext_id",
                          "properties.address", zErr, nErr);
  }
  int bOsm = 0;
  const char *zKey;
  json_t *pVal;
  json_object_foreach(pProps, zKey, pVal) {
    if (strncmp(zKey, "addr:", 5) == 0) bOsm = 1;
  }
  if (!bOsm) {
    snprintf(zErr, nErr,
             "properties.address: a non-empty string is required (or the OSM tags addr:city, "
             "addr:street, addr:housenumber)");
    return KG_EINVAL;
  }
  zComposed = kg_xmalloc(8 * MAX_ADDRESS_CHARS);
  if (osm_address(pProps, zComposed, 8 * MAX_ADDRESS_CHARS, &zDistrict, zErr, nErr) &&
      osm_id(pFeature, pProps, zId, sizeof(zId), zErr, nErr))
    rc = address_insert(pStore, zComposed, zDistrict, zId[0] ? zId : NULL, zWkt, "@id",
                        "the address composed of addr:*", zErr, nErr);
  free(zComposed);
  return rc;
}

/* ---- GeoJSON ---- */

/* Inserts one feature; on failure writes why into zErr. */
static enum kg_err import_feature(struct kg_store *pStore, struct kg_geo_ctx *pGeo,
                                  enum layer eLayer, const char *zCrs, json_t *pFeature, char *zErr,
                                  size_t nErr) {
  json_t *pProps = json_object_get(pFeature, "properties");
  json_t *pGeom = json_object_get(pFeature, "geometry");
  struct kg_geo_limits lim = {0, eLayer == LAYER_ADDRESSES ? KG_GEOM_POINT : KG_GEOM_AREAL};
  struct kg_geom g = {0};
  char zGeoErr[256];
  char *zWkt = NULL;
  enum kg_err rc;
  if (!json_is_object(pFeature) || !json_is_object(pGeom)) {
    snprintf(zErr, nErr, "not a Feature with a geometry");
    return KG_EINVAL;
  }
  if ((rc = kg_geo_parse(pGeo, pGeom, zCrs, &lim, &g, zGeoErr, sizeof(zGeoErr))) != KG_OK) {
    snprintf(zErr, nErr, "geometry: %s", zGeoErr);
    return rc;
  }
  zWkt = kg_geom_to_wkt(&g, eLayer != LAYER_ADDRESSES);
  switch (eLayer) {
  case LAYER_ADDRESSES:
    rc =
        address_feature(pStore, pFeature, json_is_object(pProps) ? pProps : NULL, zWkt, zErr, nErr);
    break;
  case LAYER_PARCELS: {
    const char *zCad = prop_str(pProps, "cadastral_number");
    if (!zCad) {
      snprintf(zErr, nErr, "properties.cadastral_number: a non-empty string is required");
      rc = KG_EINVAL;
      break;
    }
    rc = kg_store_parcel_insert(pStore, zCad, prop_str(pProps, "use"), zWkt);
    if (rc == KG_ECONFLICT) snprintf(zErr, nErr, "properties.cadastral_number: already loaded");
    break;
  }
  case LAYER_TERRITORIES: {
    const char *zName = prop_str(pProps, "name:ru");
    if (!zName) zName = prop_str(pProps, "name");
    if (!zName) {
      snprintf(zErr, nErr, "properties.name: a non-empty string is required");
      rc = KG_EINVAL;
      break;
    }
    /* "@id" from overpass ("relation/2133461"); "osm_id" from ogr2ogr and
     * osm2pgsql, where it is often a number */
    char zNum[32];
    const char *zOsm = prop_str(pProps, "@id");
    if (!zOsm) zOsm = prop_str(pProps, "osm_id");
    if (!zOsm && json_is_integer(json_object_get(pProps, "osm_id"))) {
      snprintf(zNum, sizeof(zNum), "%" JSON_INTEGER_FORMAT,
               json_integer_value(json_object_get(pProps, "osm_id")));
      zOsm = zNum;
    }
    rc = kg_store_district_insert(pStore, zName, zOsm, zWkt);
    break;
  }
  }
  if (rc && !zErr[0]) snprintf(zErr, nErr, "the database refused it (%s)", kg_err_name(rc));
  free(zWkt);
  kg_geom_clear(&g);
  return rc;
}

/* Imports the features of GeoJSON file zFile; returns 0 or 1 (reported). */
static int import_geojson(struct kg_store *pStore, struct kg_geo_ctx *pGeo, enum layer eLayer,
                          const char *zCrs, const char *zFile, long *pn) {
  json_error_t jerr;
  json_t *pRoot = json_load_file(zFile, JSON_REJECT_DUPLICATES, &jerr);
  int rc = 1;
  if (!pRoot) {
    fprintf(stderr, "kengash import: %s:%d:%d: %s\n", zFile, jerr.line, jerr.column, jerr.text);
    return 1;
  }
  json_t *pFeatures = json_object_get(pRoot, "features");
  if (!json_is_array(pFeatures)) {
    fprintf(stderr, "kengash import: %s is not a GeoJSON FeatureCollection\n", zFile);
    goto out;
  }
  size_t i;
  json_t *pFeature;
  json_array_foreach(pFeatures, i, pFeature) {
    char zErr[400] = "";
    if (import_feature(pStore, pGeo, eLayer, zCrs, pFeature, zErr, sizeof(zErr)) != KG_OK) {
      fprintf(stderr, "kengash import: feature %zu: %s; nothing was imported\n", i, zErr);
      goto out;
    }
    if (++*pn % PROGRESS_ROWS == 0) fprintf(stderr, "kengash import: %ld features\n", *pn);
  }
  rc = 0;
out:
  json_decref(pRoot);
  return rc;
}

/* ---- CSV (RFC 4180, csv.c) ---- */

enum { COL_ID, COL_ADDRESS, COL_LON, COL_LAT, COL_DISTRICT, COL__COUNT };
static const char *const azColumn[COL__COUNT] = {"id", "address", "lon", "lat", "district"};

/* Reads the header into aiCol (column of each COL_, -1 when absent).
 * Returns 1, or 0 with why in zErr. */
static int csv_header(struct kg_cli_csv *c, int *aiCol, char *zErr, size_t nErr) {
  if (!kg_cli_csv_skip_bom(c)) {
    snprintf(zErr, nErr, "line 1: not a CSV header (id,address,lon,lat)");
    return 0;
  }
  int r = kg_cli_csv_read(c, zErr, nErr);
  if (r <= 0) {
    if (r == 0) snprintf(zErr, nErr, "line 1: the file is empty; expected id,address,lon,lat");
    return 0;
  }
  for (int k = 0; k < COL__COUNT; k++)
    aiCol[k] = -1;
  for (int i = 0; i < c->nField; i++) {
    const char *z = kg_cli_csv_field(c, i);
    for (int k = 0; k < COL__COUNT; k++) {
      if (strcasecmp(z, azColumn[k]) != 0) continue;
      if (aiCol[k] >= 0) {
        snprintf(zErr, nErr, "line 1: column %s twice", azColumn[k]);
        return 0;
      }
      aiCol[k] = i; /* other columns are left alone */
    }
  }
  for (int k = 0; k < COL_DISTRICT; k++) {
    if (aiCol[k] < 0) {
      snprintf(zErr, nErr, "line 1: the header has no column %s (expected id,address,lon,lat)",
               azColumn[k]);
      return 0;
    }
  }
  return 1;
}

/* A coordinate: a decimal number. */
static int coord_ok(const char *z, double *pv) {
  char *zEnd;
  if (!*z) return 0;
  *pv = strtod(z, &zEnd);
  return !*zEnd && isfinite(*pv);
}

/* Inserts the address of one CSV record; on failure writes why into zErr
 * (without the line). */
static enum kg_err csv_row(struct kg_store *pStore, struct kg_geo_ctx *pGeo, const char *zCrs,
                           struct kg_cli_csv *c, const int *aiCol, char *zErr, size_t nErr) {
  double lon, lat;
  char zGeoErr[256];
  struct kg_geo_limits lim = {1, KG_GEOM_POINT};
  struct kg_geom g = {0};
  if (c->nField <= aiCol[COL_ID] || c->nField <= aiCol[COL_ADDRESS] ||
      c->nField <= aiCol[COL_LON] || c->nField <= aiCol[COL_LAT] ||
      (aiCol[COL_DISTRICT] >= 0 && c->nField <= aiCol[COL_DISTRICT])) {
    snprintf(zErr, nErr, "%d fields, fewer than the header has", c->nField);
    return KG_EINVAL;
  }
  const char *zId = kg_cli_csv_field(c, aiCol[COL_ID]);
  const char *zAddr = kg_cli_csv_field(c, aiCol[COL_ADDRESS]);
  const char *zLon = kg_cli_csv_field(c, aiCol[COL_LON]);
  const char *zLat = kg_cli_csv_field(c, aiCol[COL_LAT]);
  const char *zDistrict = aiCol[COL_DISTRICT] >= 0 ? kg_cli_csv_field(c, aiCol[COL_DISTRICT]) : "";
  if (!*zAddr) {
    snprintf(zErr, nErr, "address: required");
    return KG_EINVAL;
  }
  if (!text_ok("address", zAddr, MAX_ADDRESS_CHARS, 0, zErr, nErr) ||
      !text_ok("id", zId, MAX_EXT_ID_BYTES, MAX_EXT_ID_BYTES, zErr, nErr) ||
      !text_ok("district", zDistrict, MAX_DISTRICT_CHARS, 0, zErr, nErr))
    return KG_EINVAL;
  if (strlen(zLon) > 40 || !coord_ok(zLon, &lon)) {
    snprintf(zErr, nErr, "lon: must be a decimal number such as 49.1185");
    return KG_EINVAL;
  }
  if (strlen(zLat) > 40 || !coord_ok(zLat, &lat)) {
    snprintf(zErr, nErr, "lat: must be a decimal number such as 55.7892");
    return KG_EINVAL;
  }
  json_t *pPoint = json_pack("{s:s, s:[f,f]}", "type", "Point", "coordinates", lon, lat);
  enum kg_err rc = kg_geo_parse(pGeo, pPoint, zCrs, &lim, &g, zGeoErr, sizeof(zGeoErr));
  json_decref(pPoint);
  if (rc) {
    snprintf(zErr, nErr, "lon, lat: %s", zGeoErr);
    return rc;
  }
  char *zWkt = kg_geom_to_wkt(&g, 0);
  rc = address_insert(pStore, zAddr, *zDistrict ? zDistrict : NULL, *zId ? zId : NULL, zWkt, "id",
                      "address", zErr, nErr);
  if (rc && !zErr[0]) snprintf(zErr, nErr, "the database refused it (%s)", kg_err_name(rc));
  free(zWkt);
  kg_geom_clear(&g);
  return rc;
}

/* Imports the address register from CSV file zFile; returns 0 or 1 (reported). */
static int import_csv(struct kg_store *pStore, struct kg_geo_ctx *pGeo, const char *zCrs,
                      const char *zFile, long *pn) {
  struct kg_cli_csv *c =
      kg_cli_csv_open(zFile, CSV_MAX_FIELDS, CSV_MAX_FIELD_BYTES, "more than 16 fields");
  char zErr[400] = "";
  int aiCol[COL__COUNT], r, rc = 1;
  if (!c) {
    fprintf(stderr, "kengash import: cannot read %s\n", zFile);
    return 1;
  }
  if (!csv_header(c, aiCol, zErr, sizeof(zErr))) goto fail;
  while ((r = kg_cli_csv_read(c, zErr, sizeof(zErr))) > 0) {
    char zRow[360] = "";
    if (c->nField == 1 && c->anField[0] == 0) continue; /* an empty line */
    if (csv_row(pStore, pGeo, zCrs, c, aiCol, zRow, sizeof(zRow)) != KG_OK) {
      snprintf(zErr, sizeof(zErr), "line %ld: %s", c->nRecordLine, zRow);
      goto fail;
    }
    if (++*pn % PROGRESS_ROWS == 0) fprintf(stderr, "kengash import: %ld rows\n", *pn);
  }
  if (r < 0) goto fail;
  rc = 0;
  goto out;
fail:
  fprintf(stderr, "kengash import: %s: %s; nothing was imported\n", zFile, zErr);
out:
  kg_cli_csv_close(c);
  return rc;
}

/* 1 when zFile is CSV: by its extension, else by its first byte. */
static int is_csv(const char *zFile) {
  const char *zDot = strrchr(zFile, '.');
  if (zDot && strcasecmp(zDot, ".csv") == 0) return 1;
  if (zDot && (strcasecmp(zDot, ".geojson") == 0 || strcasecmp(zDot, ".json") == 0)) return 0;
  FILE *f = fopen(zFile, "rb");
  int ch = EOF;
  if (!f) return 0;
  while ((ch = getc(f)) == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == 0xEF ||
         ch == 0xBB || ch == 0xBF) {
  }
  fclose(f);
  return ch != '{' && ch != EOF;
}

/* ---- the subcommand ---- */

int kg_cli_import_file(struct kg_store *pStore, const char *zLayer, const char *zCrs,
                       const char *zFile, int bOwnTransaction, long *pnImported) {
  enum layer eLayer;
  struct stat st;
  struct kg_geo_ctx *pGeo = NULL;
  int rc = 1;
  long n = 0;
  if (!parse_layer(zLayer, &eLayer)) {
    fprintf(stderr, "kengash import: --layer must be addresses, parcels or territories\n");
    return 2;
  }
  if (stat(zFile, &st) != 0 || !S_ISREG(st.st_mode)) {
    fprintf(stderr, "kengash import: cannot read %s\n", zFile);
    return 1;
  }
  if (st.st_size > MAX_FILE_BYTES) {
    fprintf(stderr, "kengash import: %s is larger than 512 MB; split it\n", zFile);
    return 1;
  }
  int bCsv = is_csv(zFile);
  if (bCsv && eLayer != LAYER_ADDRESSES) {
    fprintf(stderr, "kengash import: CSV is read for --layer addresses only; %s\n",
            "give parcels and territories as GeoJSON");
    return 1;
  }
  if (!(pGeo = kg_geo_ctx_new())) {
    fprintf(stderr, "kengash import: cannot start PROJ\n");
    return 1;
  }
  if (bOwnTransaction && kg_store_begin(pStore) != KG_OK) {
    fprintf(stderr, "kengash import: the database is busy\n");
    goto out;
  }
  if (bCsv ? import_csv(pStore, pGeo, zCrs, zFile, &n)
           : import_geojson(pStore, pGeo, eLayer, zCrs, zFile, &n))
    goto rollback;
  if (eLayer == LAYER_ADDRESSES) {
    /* index now, so the server's first lookup does not */
    if (n >= PROGRESS_ROWS) fprintf(stderr, "kengash import: indexing %ld addresses\n", n);
    if (kg_store_address_index(pStore) != KG_OK) {
      fprintf(stderr, "kengash import: indexing the addresses failed; nothing was imported\n");
      goto rollback;
    }
  }
  if (bOwnTransaction && kg_store_commit(pStore) != KG_OK) {
    fprintf(stderr, "kengash import: the commit failed; nothing was imported\n");
    goto rollback;
  }
  if (pnImported) *pnImported = n;
  rc = 0;
  goto out;
rollback:
  if (bOwnTransaction) kg_store_rollback(pStore);
out:
  kg_geo_ctx_free(pGeo);
  return rc;
}

/* import of one reference layer in its own transaction, the count printed. */
static int import_layer(struct kg_store *pStore, const char *zLayer, const char *zCrs,
                        const char *zFile) {
  long n = 0;
  int rc = kg_cli_import_file(pStore, zLayer, zCrs, zFile, 1, &n);
  if (rc == 0) printf("imported %ld features into %s\n", n, zLayer);
  return rc;
}

static const struct kg_option aImportOpt[] = {
    KG_CLI_OPT_COMMON,
    {"layer", "addresses | parcels | territories | rights"},
    {"crs", "CRS of the file's coordinates: EPSG code or PROJ string (EPSG:4326)"},
    {"holder-key-file", "rights: key of the holder identifiers' hashes (<db>.holder-key)"},
};

/* import --layer rights: the key first (made when missing), then the file. */
static int import_rights(const struct kg_config *pCfg, const char *zFile) {
  unsigned char aKey[KG_AUTH_HOLDER_KEY_BYTES];
  struct kg_rights_info info;
  unsigned char aCheck[KG_AUTH_HOLDER_HASH_BYTES];
  struct kg_store *pStore = NULL;
  int rc = 1;
  if (!kg_cli_holder_key(pCfg, "import", aKey) || !(pStore = kg_cli_open_db(pCfg->zDb))) goto out;
  kg_auth_holder_key_check(aKey, aCheck);
  if (kg_store_rights_info(pStore, &info) == KG_OK &&
      memcmp(aCheck, info.aKeyCheck, sizeof(aCheck)) != 0)
    fprintf(stderr, "kengash import: note: the register was loaded with another holder key "
                    "before; restart serve with this --holder-key-file\n");
  rc = kg_cli_import_rights(pStore, aKey, zFile);
out:
  kg_auth_memzero(aKey, sizeof(aKey));
  if (pStore) kg_store_close(pStore);
  return rc;
}

int kg_cli_cmd_import(int argc, char **argv) {
  if (kg_cli_wants_help(argc, argv)) {
    kg_cli_print_help(
        "import --db FILE --layer addresses|parcels|territories [--crs CRS] "
        "FILE.geojson|FILE.csv\n"
        "       kengash import --db FILE --layer rights [--holder-key-file FILE] FILE.csv",
        "Loads a reference layer from a GeoJSON FeatureCollection, transforming\n"
        "coordinates from --crs to EPSG:4326 with PROJ. addresses need an 'address'\n"
        "property (or OSM addr:city, addr:street, addr:housenumber tags), parcels a\n"
        "'cadastral_number', territories a 'name'. addresses also come as CSV with\n"
        "the header id,address,lon,lat (RFC 4180, UTF-8; id is the register's own).\n"
        "rights replaces the rights register with a CSV extract whose header is\n"
        "cadastral_number,holder_id (SNILS or INN, stored only as a keyed hash).",
        aImportOpt, KG_CLI_N(aImportOpt));
    return 0;
  }
  struct kg_config cfg;
  char **azPos = NULL;
  int nPos = 0;
  if (!kg_cli_load_config(&cfg, argc, argv, aImportOpt, KG_CLI_N(aImportOpt), &azPos, &nPos))
    return 2;
  int rc = 2;
  struct kg_store *pStore = NULL;
  const char *zLayer = kg_config_get(&cfg, "layer");
  if (!zLayer || nPos != 1) {
    fprintf(stderr, "kengash import: give --layer and exactly one file (see --help)\n");
    goto out;
  }
  if (strcmp(zLayer, "rights") == 0) {
    rc = import_rights(&cfg, azPos[0]);
    goto out;
  }
  if (!(pStore = kg_cli_open_db(cfg.zDb))) {
    rc = 1;
    goto out;
  }
  rc = import_layer(pStore, zLayer, kg_config_get(&cfg, "crs"), azPos[0]);
out:
  if (pStore) kg_store_close(pStore);
  kg_config_free(&cfg);
  return rc;
}
