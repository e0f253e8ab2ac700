/* test_store_addresses.c: unit tests for src/store/addresses.c: the canonical
 * tokens of an address (kg_store_address_key), search ranking, resolve,
 * the register's own ids, and the index kept up for rows that other
 * programs insert, change or delete; against real SpatiaLite files in a
 * temporary directory. Prints one line per test and "N passed, M failed". */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kengash/store.h"
#include "store_harness.h"

/* 1 when the key of zIn is zWant; says what it got otherwise. */
static int key_is(const char *zIn, const char *zWant) {
  char z[512];
  kg_store_address_key(zIn, z, sizeof(z));
  if (strcmp(z, zWant) == 0) return 1;
  fprintf(stderr, "  key of \"%s\": \"%s\", expected \"%s\"\n", zIn, z, zWant);
  return 0;
}

/* Checks that the key of each a[i][0] is a[i][1]. */
static void keys_are(const char *const a[][2], size_t n) {
  for (size_t i = 0; i < n; i++)
    CHECK(key_is(a[i][0], a[i][1]));
}

/* ---- canonical tokens ---- */

static void spellings_of_one_address_give_the_same_tokens(void) {
  static const char *const azStreet[] = {
      "ул. Баумана, 19",       "ул. Баумана, д. 19",     "улица Баумана дом 19",
      "улица Баумана, дом 19", "  УЛ.  БАУМАНА,  Д.19 ", "ул.Баумана,д.19",
      "Улица Баумана, д 19",   "ул Баумана, дом № 19",   "г. Казань, ул. Баумана, д. 19",
  };
  for (size_t i = 0; i < sizeof(azStreet) / sizeof(azStreet[0]); i++)
    CHECK(key_is(azStreet[i], i < 8 ? "улица баумана 19" : "казань улица баумана 19"));
  static const char *const aKey[][2] = {
      {"Баумана 19", "баумана 19"},
      {"БАУМАНА 19", "баумана 19"},
      {"город Казань, Баумана, 19", "казань баумана 19"},
  };
  keys_are(aKey, sizeof(aKey) / sizeof(aKey[0]));
}

static void house_parts_have_one_spelling(void) {
  static const char *const azK[] = {"19к1",           "19 к1",           "19 к 1", "19 корп 1",
                                    "д. 19, корп. 1", "дом 19 корпус 1", "19К1",   "д.19 к.1"};
  for (size_t i = 0; i < sizeof(azK) / sizeof(azK[0]); i++)
    CHECK(key_is(azK[i], "19 к1"));
  static const char *const aKey[][2] = {
      {"д. 19, стр. 2", "19 с2"},
      {"19 строение 2", "19 с2"},
      {"19с2", "19 с2"},
      {"д. 19, лит. А", "19 ла"},
      {"19 литера а", "19 ла"},
      /* parts in one order, whatever the order written */
      {"д. 19, стр. 2, корп. 1", "19 к1 с2"},
      /* a letter of the house number stays on it */
      {"д. 19А", "19а"},
      {"19 а", "19а"},
      {"19-а", "19а"},
      {"д. 19/2", "19/2"},
      /* a part marker with nothing after it yet (typing) is left out */
      {"Баумана 19 к", "баумана 19"},
      {"Баумана 19 корп", "баумана 19"},
  };
  keys_are(aKey, sizeof(aKey) / sizeof(aKey[0]));
}

static void street_types_and_markers_are_canonical(void) {
  static const char *const aKey[][2] = {
      {"пр-т Победы", "проспект победы"},
      {"пр. Победы", "проспект победы"},
      {"просп. Победы", "проспект победы"},
      {"проспект Победы", "проспект победы"},
      {"пер. Островского", "переулок островского"},
      {"переулок Островского", "переулок островского"},
      {"наб. Кабана", "набережная кабана"},
      {"пл. Свободы", "площадь свободы"},
      {"б-р Ибрагимова", "бульвар ибрагимова"},
      {"Сибирский тр.", "сибирский тракт"},
      {"ш. Горьковское", "шоссе горьковское"},
      {"пр-д Тихий", "проезд тихий"},
      {"мкр. Азино", "микрорайон азино"},
      {"Бауман урамы", "бауман улица"}, /* Tatar */
      /* ё is е; Tatar letters fold; a decomposed й is й */
      {"ул. Кремлёвская", "улица кремлевская"},
      {"ӘЛМӘТ ҮЗӘК ҖИДЕ ҢӨ Һ", "әлмәт үзәк җиде ңө һ"},
      {"ул. Заи\xcc\x86мище", "улица займище"},
      /* ordinals and numbers in names */
      {"ул. 1-я Владимирская, д. 5", "улица 1я владимирская 5"},
      {"ул. 8 Марта, 5", "улица 8 марта 5"},
      /* an identity provider's formatted address: postcode, country, region,
       * district and flat are not in the register */
      {"420111, Россия, Респ Татарстан, г Казань, Вахитовский р-н, ул Баумана, д 19, кв 5",
       "казань улица баумана 19"},
      {"Республика Татарстан, г. Казань, ул. Баумана, д. 19, кв. 5а", "казань улица баумана 19"},
      {"Татарстан Респ, г.о. город Казань, Казань г, Баумана ул, 19",
       "казань казань баумана улица 19"},
      {"Московская обл, г. Химки", "химки"},
      {"пос. Салмачи, д. Васильево, с. Высокая Гора", "салмачи васильево высокая гора"},
      /* punctuation and symbols only split words */
      {"Street\u00a0«Name» № 5—7", "street name 5 7"},
      {"...", ""},
      {"", ""},
  };
  keys_are(aKey, sizeof(aKey) / sizeof(aKey[0]));
  /* truncation keeps whole characters */
  char z[8];
  kg_store_address_key("ЖЖЖЖ", z, 6);
  CHECK(strcmp(z, "жж") == 0);
  kg_store_address_key(NULL, z, sizeof(z));
  CHECK(z[0] == 0);
}

/* ---- search and resolve ---- */

static void add(struct kg_store *p, const char *zAddress, const char *zExtId, double lon,
                double lat) {
  char zWkt[80];
  snprintf(zWkt, sizeof(zWkt), "POINT(%.6f %.6f)", lon, lat);
  CHECK(kg_store_address_insert_ext(p, zAddress, "Вахитовский район", zExtId, zWkt) == KG_OK);
}

/* The addresses found for zQuery joined by " | " into z. */
static const char *found(struct kg_store *p, const char *zQuery, int nLimit, char *z, size_t n) {
  struct kg_address_hit *aHit = kg_xcalloc(KG_ADDRESS_SEARCH_MAX, sizeof(*aHit));
  int nHit = -1;
  size_t i = 0;
  z[0] = 0;
  CHECK(kg_store_address_search(p, zQuery, nLimit, aHit, &nHit) == KG_OK);
  for (int k = 0; k < nHit && i < n; k++)
    i += (size_t)snprintf(z + i, n - i, "%s%s", k ? " | " : "", aHit[k].zAddress);
  free(aHit);
  return z;
}

static int found_is(struct kg_store *p, const char *zQuery, int nLimit, const char *zWant) {
  char z[4096];
  found(p, zQuery, nLimit, z, sizeof(z));
  if (strcmp(z, zWant) == 0) return 1;
  fprintf(stderr, "  search \"%s\": \"%s\"\n    expected \"%s\"\n", zQuery, z, zWant);
  return 0;
}

/* 1 when zText resolves to zWant (or, zWant NULL, to nothing). */
static int resolves_to(struct kg_store *p, const char *zText, const char *zWant) {
  struct kg_address_hit h;
  enum kg_err rc = kg_store_address_resolve(p, zText, &h);
  if (zWant ? rc == KG_OK && strcmp(h.zAddress, zWant) == 0 : rc == KG_ENOTFOUND) return 1;
  fprintf(stderr, "  resolve \"%s\": %s \"%s\"\n", zText, kg_err_name(rc),
          rc == KG_OK ? h.zAddress : "");
  return 0;
}

/* Checks that each a[i][0] resolves to a[i][1] (NULL: to nothing). */
static void resolve_all(struct kg_store *p, const char *const a[][2], size_t n) {
  for (size_t i = 0; i < n; i++)
    CHECK(resolves_to(p, a[i][0], a[i][1]));
}

static struct kg_store *bauman_street(void) {
  struct kg_store *p = fresh();
  add(p, "г. Казань, ул. Баумана, д. 119", NULL, 49.11, 55.79);
  add(p, "г. Казань, ул. Баумана, д. 19, корп. 1", NULL, 49.12, 55.79);
  add(p, "г. Казань, ул. Баумана, д. 190", NULL, 49.13, 55.79);
  add(p, "г. Казань, ул. Баумана, д. 19", "0c5b2444-70a0-4932-980c-b4dc0d3f02b5", 49.1185, 55.7892);
  add(p, "г. Казань, ул. Баумана, д. 2", NULL, 49.14, 55.79);
  add(p, "г. Казань, ул. Бутлерова, д. 19", NULL, 49.15, 55.79);
  add(p, "г. Казань, ул. Пушкина, д. 5", NULL, 49.16, 55.79);
  add(p, "г. Казань, пер. Пушкина, д. 5", NULL, 49.17, 55.79);
  add(p, "г. Казань, пер. Пушкина, д. 7", NULL, 49.18, 55.79);
  add(p, "г. Казань, пр-т Победы, д. 100, стр. 2", NULL, 49.19, 55.79);
  add(p, "г. Казань, ул. Кремлёвская, д. 1, лит. А", NULL, 49.20, 55.79);
  return p;
}

static void search_ranks_exact_house_first_and_never_a_longer_number(void) {
  struct kg_store *p = bauman_street();
  const char *zB = "г. Казань, ул. Баумана, д. ";
  char zWant[1024];
  snprintf(zWant, sizeof(zWant), "%s19 | %s19, корп. 1 | %s190", zB, zB, zB);
  CHECK(found_is(p, "Баумана 19", 10, zWant));
  CHECK(found_is(p, "ул. Баумана, 19", 10, zWant));
  CHECK(found_is(p, "улица Баумана, дом 19", 10, zWant));
  snprintf(zWant, sizeof(zWant), "%s19", zB);
  CHECK(found_is(p, "Баумана 19", 1, zWant));
  CHECK(found_is(p, "г. Казань, ул. Баумана, д. 19", 1, zWant));
  /* the building: its own spelling first */
  snprintf(zWant, sizeof(zWant), "%s19, корп. 1", zB);
  CHECK(found_is(p, "Баумана 19к1", 1, zWant));
  CHECK(found_is(p, "баумана д 19 корп 1", 1, zWant));
  /* typing: the last word as a prefix, in house-number order */
  snprintf(zWant, sizeof(zWant), "%s2 | %s19 | %s19, корп. 1 | %s119 | %s190", zB, zB, zB, zB, zB);
  CHECK(found_is(p, "Бау", 10, zWant));
  CHECK(found_is(p, "ул. Бау", 10, zWant));
  CHECK(found_is(p, "Баумана", 10, zWant));
  snprintf(zWant, sizeof(zWant), "%s19 | %s19, корп. 1 | %s119 | %s190", zB, zB, zB, zB);
  CHECK(found_is(p, "Баумана 1", 10, zWant));
  /* another spelling of the type, ё, литера, строение */
  CHECK(
      found_is(p, "проспект Победы 100 строение 2", 10, "г. Казань, пр-т Победы, д. 100, стр. 2"));
  CHECK(found_is(p, "Кремлевская 1 литера А", 10, "г. Казань, ул. Кремлёвская, д. 1, лит. А"));
  /* a street type that differs still finds the street, after the rest */
  CHECK(found_is(p, "ул. Пушкина 7", 10, "г. Казань, пер. Пушкина, д. 7"));
  CHECK(found_is(p, "Лобачевского 19", 10, ""));
  CHECK(found_is(p, " ,. ", 10, ""));
  CHECK(found_is(p, "Баумана 19", 0, ""));
  kg_store_close(p);
}

static void resolve_needs_one_clear_match(void) {
  struct kg_store *p = bauman_street();
  const char *z19 = "г. Казань, ул. Баумана, д. 19";
  const char *const aResolve[][2] = {
      {"Баумана 19", z19},
      {"ул. Баумана, д. 19", z19},
      {"БАУМАНА 19", z19},
      {"420111, Респ Татарстан, г Казань, ул Баумана, д 19, кв 5", z19},
      {"Баумана 19 корп 1", "г. Казань, ул. Баумана, д. 19, корп. 1"},
      {"Баумана", NULL},       /* no house */
      {"Баумана 1", NULL},     /* no such house: no prefixes here */
      {"Баумана 19 к2", NULL}, /* no such building */
      {"Пушкина 5", NULL},     /* ул. and пер. */
      {"ул. Пушкина 5", "г. Казань, ул. Пушкина, д. 5"},
      {"пер Пушкина д 5", "г. Казань, пер. Пушкина, д. 5"},
      {"ул. Пушкина 7", NULL}, /* the type differs: not for sure */
      {"", NULL},
  };
  resolve_all(p, aResolve, sizeof(aResolve) / sizeof(aResolve[0]));
  double lon = 0, lat = 0;
  char zFound[200];
  CHECK(kg_store_address_geocode(p, "ул Баумана 19", &lon, &lat, zFound, sizeof(zFound)) == KG_OK);
  CHECK(fabs(lon - 49.1185) < 1e-9 && fabs(lat - 55.7892) < 1e-9 && strcmp(zFound, z19) == 0);
  CHECK(kg_store_address_geocode(p, "г. Казань, ул. Баумана, 1900", &lon, &lat, NULL, 0) ==
        KG_ENOTFOUND);
  kg_store_close(p);
}

static void resolve_allows_a_missing_type_or_town_but_no_other_word(void) {
  struct kg_store *p = fresh();
  add(p, "г. Казань, ул. Проверочная-Вторая, д. 7", NULL, 49.1, 55.7);
  add(p, "г. Казань, ул. Баумана, д. 19", NULL, 49.1185, 55.7892);
  add(p, "г. Зеленодольск, ул. Баумана, д. 19", NULL, 48.5, 55.8);
  add(p, "ул. Садовая, д. 3", NULL, 49.2, 55.7); /* a register without the town */
  /* another street, though every word given is in it */
  CHECK(resolves_to(p, "г. Казань, ул. Проверочная, д. 7, кв. 12", NULL));
  CHECK(found_is(p, "Проверочная 7", 10, "г. Казань, ул. Проверочная-Вторая, д. 7"));
  /* two towns: the town decides */
  const char *const aResolve[][2] = {
      {"Баумана 19", NULL},
      {"г. Казань, Баумана 19", "г. Казань, ул. Баумана, д. 19"},
      {"Баумана 19, г. Зеленодольск", "г. Зеленодольск, ул. Баумана, д. 19"},
      {"Зеленодольск г, Баумана ул, 19", "г. Зеленодольск, ул. Баумана, д. 19"},
      /* a town the register does not write */
      {"г. Казань, ул. Садовая, д. 3", "ул. Садовая, д. 3"},
  };
  resolve_all(p, aResolve, sizeof(aResolve) / sizeof(aResolve[0]));
  CHECK(found_is(p, "г Казань Садовая 3", 10, "ул. Садовая, д. 3"));
  CHECK(resolves_to(p, "г. Зеленодольск, ул. Садовая, д. 3", "ул. Садовая, д. 3"));
  kg_store_close(p);
}

static void ext_id_finds_the_address_and_is_unique(void) {
  struct kg_store *p = bauman_street();
  struct kg_address_hit h;
  CHECK(kg_store_address_by_ext_id(p, "0c5b2444-70a0-4932-980c-b4dc0d3f02b5", &h) == KG_OK);
  CHECK(strcmp(h.zAddress, "г. Казань, ул. Баумана, д. 19") == 0 &&
        strcmp(h.zDistrict, "Вахитовский район") == 0 && fabs(h.lon - 49.1185) < 1e-9);
  CHECK(strcmp(h.zExtId, "0c5b2444-70a0-4932-980c-b4dc0d3f02b5") == 0);
  CHECK(kg_store_address_by_ext_id(p, "nope", &h) == KG_ENOTFOUND);
  CHECK(kg_store_address_by_ext_id(p, "", &h) == KG_ENOTFOUND);
  CHECK(kg_store_address_insert_ext(p, "г. Казань, ул. Новая, д. 1", NULL,
                                    "0c5b2444-70a0-4932-980c-b4dc0d3f02b5",
                                    "POINT(49 55)") == KG_ECONFLICT);
  CHECK(kg_store_address_insert_ext(p, "г. Казань, ул. Баумана, д. 19", NULL, "x",
                                    "POINT(49 55)") == KG_ECONFLICT);
  CHECK(kg_store_address_insert_ext(p, "г. Казань, ул. Новая, д. 2", NULL, "y", "not wkt") ==
        KG_EINVAL);
  /* no id: NULL, and many rows may have none */
  CHECK(q_int(p, "SELECT count(*) FROM address_registry WHERE ext_id IS NULL") == 10);
  kg_store_close(p);
}

static void rows_from_other_programs_are_indexed_on_lookup(void) {
  struct kg_store *p = bauman_street();
  char z[1024];
  /* inserted with plain SQL: no key */
  CHECK(exec_ok(p, "INSERT INTO address_registry (address, geometry) VALUES ('г. Казань, "
                   "ул. Лобачевского, 10', MakePoint(49.11, 55.80, 4326))"));
  /* the store's own rows carry their key; all wait in the queue */
  CHECK(q_int(p, "SELECT count(*) FROM address_registry WHERE address_key IS NULL") == 1);
  CHECK(q_int(p, "SELECT count(*) FROM address_index_queue") == 12);
  CHECK(found_is(p, "Лобачевского 10", 10, "г. Казань, ул. Лобачевского, 10"));
  CHECK(q_int(p, "SELECT count(*) FROM address_registry WHERE address_key IS NULL") == 0);
  CHECK(q_int(p, "SELECT count(*) FROM address_index_queue") == 0);
  CHECK(q_int(p, "SELECT count(*) FROM address_fts") == 12);
  /* a key cleared by hand is filled again */
  CHECK(exec_ok(p, "UPDATE address_registry SET address_key = NULL"));
  CHECK(resolves_to(p, "Лобачевского 10", "г. Казань, ул. Лобачевского, 10"));
  /* renamed and deleted rows */
  CHECK(exec_ok(p, "UPDATE address_registry SET address = 'г. Казань, ул. Лобачевского, 12' "
                   "WHERE address LIKE '%Лобачевского, 10'"));
  CHECK(found_is(p, "Лобачевского 10", 10, ""));
  CHECK(found_is(p, "Лобачевского 12", 10, "г. Казань, ул. Лобачевского, 12"));
  CHECK(exec_ok(p, "DELETE FROM address_registry WHERE address LIKE '%Лобачевского%'"));
  CHECK(found_is(p, "Лобачевского", 10, ""));
  CHECK(q_int(p, "SELECT count(*) FROM address_fts") == 11);
  found(p, "Баумана", 10, z, sizeof(z));
  CHECK(strstr(z, "д. 19") != NULL);
  kg_store_close(p);
}

static void many_rows_from_other_programs_are_indexed_in_one_lookup(void) {
  struct kg_store *p = fresh();
  char zWant[128];
  /* more rows than one indexing batch (500 on PostgreSQL), and a key
   * with a word twice (one lexeme) */
  CHECK(exec_ok(p, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1203) "
                   "INSERT INTO address_registry (address, geometry) "
                   "SELECT 'г. Казань, ул. Казанская, д. ' || i, MakePoint(49.1, 55.8, 4326) "
                   "FROM n"));
  const char *zTwice = "Татарстан Респ, г.о. город Казань, Казань г, Баумана ул, 19";
  add(p, zTwice, NULL, 49.1185, 55.7892);
  CHECK(found_is(p, "Казанская 1001", 1, "г. Казань, ул. Казанская, д. 1001"));
  CHECK(found_is(p, "Баумана 19", 10, zTwice));
  CHECK(q_int(p, "SELECT count(*) FROM address_registry "
                 "WHERE address_key = 'казань казань баумана улица 19'") == 1);
  CHECK(q_int(p, "SELECT count(*) FROM address_fts") == 1204);
  CHECK(q_int(p, "SELECT count(*) FROM address_registry WHERE address_key IS NULL") == 0);
  CHECK(q_int(p, "SELECT count(*) FROM address_index_queue") == 0);
  for (int i = 1; i <= 1203; i += 601) {
    snprintf(zWant, sizeof(zWant), "г. Казань, ул. Казанская, д. %d", i);
    char zQuery[64];
    snprintf(zQuery, sizeof(zQuery), "Казань Казанская %d", i);
    CHECK(resolves_to(p, zQuery, zWant));
  }
  kg_store_close(p);
}

static void index_runs_inside_the_callers_transaction(void) {
  struct kg_store *p = fresh();
  CHECK(kg_store_begin(p) == KG_OK);
  add(p, "г. Казань, ул. Баумана, д. 19", NULL, 49.1185, 55.7892);
  CHECK(kg_store_address_index(p) == KG_OK);
  CHECK(q_int(p, "SELECT count(*) FROM address_fts") == 1);
  kg_store_rollback(p);
  CHECK(q_int(p, "SELECT count(*) FROM address_fts") == 0);
  CHECK(q_int(p, "SELECT count(*) FROM address_index_queue") == 0);
  kg_store_close(p);
}

static void unit_part_is_kept_as_written(void) {
  static const char *const a[][2] = {
      {"г. Казань, ул. Баумана, д. 19, кв. 12", "кв. 12"},
      {"Баумана 19 квартира 5а", "кв. 5а"},
      {"ул. Баумана, 19, комн. 3", "комн. 3"},
      {"Баумана, дом 19, офис 7", "оф. 7"},
      {"Баумана 19, пом. 2", "пом. 2"},
      {"г. Казань, ул. Баумана, д. 19", ""},
      {"кв", ""},
      {"", ""},
  };
  char z[64];
  for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
    kg_store_address_unit(a[i][0], z, sizeof(z));
    if (strcmp(z, a[i][1]) != 0) fprintf(stderr, "  unit of \"%s\": \"%s\"\n", a[i][0], z);
    CHECK(strcmp(z, a[i][1]) == 0);
  }
  kg_store_address_unit("кв 123456789", z, 6); /* truncated, still a string */
  CHECK(strlen(z) < 6);
}

int main(void) {
  harness_begin();
  RUN(spellings_of_one_address_give_the_same_tokens);
  RUN(unit_part_is_kept_as_written);
  RUN(house_parts_have_one_spelling);
  RUN(street_types_and_markers_are_canonical);
  RUN(search_ranks_exact_house_first_and_never_a_longer_number);
  RUN(resolve_needs_one_clear_match);
  RUN(resolve_allows_a_missing_type_or_town_but_no_other_word);
  RUN(ext_id_finds_the_address_and_is_unique);
  RUN(rows_from_other_programs_are_indexed_on_lookup);
  RUN(many_rows_from_other_programs_are_indexed_in_one_lookup);
  RUN(index_runs_inside_the_callers_transaction);
  return harness_end();
}
