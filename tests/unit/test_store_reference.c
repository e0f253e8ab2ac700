/* test_store_reference.c: unit tests for src/store/reference.c (the
 * reference layers: addresses, parcels, districts) against a real
 * SpatiaLite file in a temporary directory. Prints one line per test and
 * "N passed, M failed". */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_harness.h"

static void reference_layers_insert(void) {
  struct kg_store *p = fresh();
  CHECK(kg_store_address_insert(p, "ул. Баумана, 1", "Вахитовский", "POINT(49.1 55.79)") == KG_OK);
  CHECK(kg_store_address_insert(p, "ул. Баумана, 1", "Вахитовский", "POINT(49.1 55.79)") ==
        KG_ECONFLICT);
  CHECK(kg_store_address_insert(p, "ул. Баумана, 2", NULL, "not wkt") == KG_EINVAL);
  CHECK(kg_store_parcel_insert(p, "16:50:011101:1", "ИЖС", "POLYGON((0 0,1 0,1 1,0 0))") == KG_OK);
  CHECK(kg_store_district_insert(p, "Вахитовский", "relation/1",
                                 "MULTIPOLYGON(((0 0,1 0,1 1,0 "
                                 "0)))") == KG_OK);
  /* the parcel is in the spatial index: SpatiaLite's R*Tree is a table;
   * PostgreSQL's GiST index holds every row by construction */
  CHECK(p->pPg || q_int(p, "SELECT count(*) FROM idx_parcels_geometry") == 1);
  CHECK(kg_store_modlog_insert(p, 0, "comment.reject", "comment", 7, "спам", 5) == KG_OK);
  CHECK(q_int(p, "SELECT count(*) FROM moderation_log WHERE actor_id IS NULL AND at = 5") == 1);
  kg_store_close(p);
}

int main(void) {
  harness_begin();
  RUN(reference_layers_insert);
  return harness_end();
}
