/* import.c: `kengash import` — loads a reference layer (address registry,
 * cadastral parcels, named territories) from a GeoJSON FeatureCollection,
 * transforming coordinates to EPSG:4326 with PROJ. All or nothing: one
 * transaction, rolled back at the first bad feature. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_int.h"
#include "kengash/cli.h"
#include "kengash/geo.h"

#define MAX_FILE_BYTES (512LL * 1024 * 1024)
#define MAX_PROP_CHARS 500

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
  case LAYER_ADDRESSES: {
    const char *zAddr = prop_str(pProps, "address");
    if (!zAddr) {
      snprintf(zErr, nErr, "properties.address: a non-empty string is required");
      rc = KG_EINVAL;
      break;
    }
    rc = kg_store_address_insert(pStore, zAddr, prop_str(pProps, "district"), zWkt);
    if (rc == KG_ECONFLICT) snprintf(zErr, nErr, "properties.address: already in the registry");
    break;
  }
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

int kg_cli_import_file(struct kg_store *pStore, const char *zLayer, const char *zCrs,
                       const char *zFile, int bOwnTransaction, long *pnImported) {
  enum layer eLayer;
  struct stat st;
  json_error_t jerr;
  json_t *pRoot = NULL;
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
  if (!(pRoot = json_load_file(zFile, JSON_REJECT_DUPLICATES, &jerr))) {
    fprintf(stderr, "kengash import: %s:%d:%d: %s\n", zFile, jerr.line, jerr.column, jerr.text);
    return 1;
  }
  json_t *pFeatures = json_object_get(pRoot, "features");
  if (!json_is_array(pFeatures)) {
    fprintf(stderr, "kengash import: %s is not a GeoJSON FeatureCollection\n", zFile);
    goto out;
  }
  if (!(pGeo = kg_geo_ctx_new())) {
    fprintf(stderr, "kengash import: cannot start PROJ\n");
    goto out;
  }
  if (bOwnTransaction && kg_store_begin(pStore) != KG_OK) {
    fprintf(stderr, "kengash import: the database is busy\n");
    goto out;
  }
  size_t i;
  json_t *pFeature;
  json_array_foreach(pFeatures, i, pFeature) {
    char zErr[400] = "";
    if (import_feature(pStore, pGeo, eLayer, zCrs, pFeature, zErr, sizeof(zErr)) != KG_OK) {
      fprintf(stderr, "kengash import: feature %zu: %s; nothing was imported\n", i, zErr);
      if (bOwnTransaction) kg_store_rollback(pStore);
      goto out;
    }
    n++;
  }
  if (bOwnTransaction && kg_store_commit(pStore) != KG_OK) {
    kg_store_rollback(pStore);
    fprintf(stderr, "kengash import: the commit failed; nothing was imported\n");
    goto out;
  }
  if (pnImported) *pnImported = n;
  rc = 0;
out:
  kg_geo_ctx_free(pGeo);
  json_decref(pRoot);
  return rc;
}

int kg_cli_import(struct kg_store *pStore, const char *zLayer, const char *zCrs,
                  const char *zFile) {
  long n = 0;
  int rc = kg_cli_import_file(pStore, zLayer, zCrs, zFile, 1, &n);
  if (rc == 0) printf("imported %ld features into %s\n", n, zLayer);
  return rc;
}
