/* store_reference.h: reference layers loaded by import and the demo
 * (reference.c).
 * One part of the store's public surface (see kengash/store.h). */
#include "kengash/store.h"

#ifndef KENGASH_STORE_REFERENCE_H
#define KENGASH_STORE_REFERENCE_H

/* ---- reference layers (import and demo) ---- */
/* zWkt in EPSG:4326. Addresses are POINTs; parcels and districts MULTIPOLYGONs. */
enum kg_err kg_store_address_insert(struct kg_store *p, const char *zAddress, const char *zDistrict,
                                    const char *zWkt);
enum kg_err kg_store_parcel_insert(struct kg_store *p, const char *zCadastral, const char *zUse,
                                   const char *zWkt);
enum kg_err kg_store_district_insert(struct kg_store *p, const char *zName, const char *zOsmId,
                                     const char *zWkt);

#endif
