/* store_addresses.h: the address register and its search (addresses.c).
 * One part of the store's public surface (see kengash/store.h). */
#include "kengash/store.h"

#ifndef KENGASH_STORE_ADDRESSES_H
#define KENGASH_STORE_ADDRESSES_H

/* ---- the address register and its search (addresses.c) ----
 * Every lookup works on canonical tokens (kg_store_address_key), indexed
 * in FTS5; rows put into address_registry by other tools are indexed by
 * the next lookup (kg_store_address_index). */

/* Writes the canonical tokens of zAddress into zKey, joined by spaces (nKey
 * bytes, truncated at a UTF-8 boundary). Latin and Cyrillic (with the
 * Tatar letters) lower-cased, ё as е, punctuation splits words, and:
 * street types spelled one way (ул, улица -> улица; пр, пр-т, просп ->
 * проспект; пер, наб, пл, б-р, ш, пр-д, тракт, туп, мкр, ...); г/город,
 * settlement types, д/дом, postcodes (6 digits), regions ("Респ
 * Татарстан", "Вахитовский р-н"), Россия and flats ("кв. 5") dropped; a
 * letter of the house number glued on ("19 А" -> 19а); корпус, строение
 * and литера as к1, с2, ла, right after the house number. So "д. 19, корп.
 * 1", "19к1", "19 к 1" and "19 корп 1" all give "19 к1". The same for the
 * register and for what people type. */
void kg_store_address_key(const char *zAddress, char *zKey /* OUT */, size_t nKey);
/* The flat, room, office or premises part of zAddress as "кв. 12",
 * "комн. 3", "оф. 5", "пом. 2а" into zOut; "" when there is none. The
 * register knows buildings, so a resolved address gets this back from what
 * the person (or the identity provider) wrote. */
void kg_store_address_unit(const char *zAddress, char *zOut /* OUT */, size_t nOut);

/* One address of the register. */
struct kg_address_hit {
  int64_t id;
  char zAddress[2048]; /* the register's spelling */
  char zDistrict[512]; /* "" when none */
  char zExtId[64];     /* the register's own id (GAR/FIAS GUID); "" when none */
  double lon, lat;     /* EPSG:4326 */
};
#define KG_ADDRESS_SEARCH_MAX 20

/* Suggestions for zQuery as typed: up to nLimit (at most
 * KG_ADDRESS_SEARCH_MAX) addresses into aHit, best first, their count in
 * *pnHit. Ranked: the same canonical tokens; every token with the same
 * house number ("19" before "19 к1", never "119"); every token; the last
 * word as a prefix ("Бау" -> Баумана); a different street type. A query
 * without tokens gives none. */
enum kg_err kg_store_address_search(struct kg_store *p, const char *zQuery, int nLimit,
                                    struct kg_address_hit *aHit /* OUT */, int *pnHit /* OUT */);
/* The one address zText clearly means, into *pOut: the only one with the
 * same canonical tokens, else the only one with all of zText's tokens and
 * the same house number with its parts. KG_ENOTFOUND otherwise (none, or
 * several). For an address given in full (a form, an identity provider). */
enum kg_err kg_store_address_resolve(struct kg_store *p, const char *zText,
                                     struct kg_address_hit *pOut /* OUT */);
/* The address with the register's own id zExtId. KG_ENOTFOUND when none. */
enum kg_err kg_store_address_by_ext_id(struct kg_store *p, const char *zExtId,
                                       struct kg_address_hit *pOut /* OUT */);
/* kg_store_address_resolve giving the point in *pLon, *pLat and the
 * register's spelling in zFound (nFound bytes; may be NULL). */
enum kg_err kg_store_address_geocode(struct kg_store *p, const char *zAddress,
                                     double *pLon /* OUT */, double *pLat /* OUT */,
                                     char *zFound /* OUT */, size_t nFound);
/* Inserts an address (zWkt a POINT in EPSG:4326; zDistrict and zExtId may
 * be NULL). KG_ECONFLICT when the address or the id is already there,
 * KG_EINVAL for a bad point. Indexed by the next kg_store_address_index. */
enum kg_err kg_store_address_insert_ext(struct kg_store *p, const char *zAddress,
                                        const char *zDistrict, const char *zExtId,
                                        const char *zWkt);
/* Indexes the register rows added or changed since the last call (by this
 * program or any other) in one transaction (a savepoint inside the
 * caller's). Every lookup above calls it; an importer calls it before
 * committing, so the first lookup after it does not pay. */
enum kg_err kg_store_address_index(struct kg_store *p);

#endif
