/* fuzz_address.c: the address normaliser (src/store/addresses.c) through
 * its public doors: the search key of an address and the unit (flat,
 * office) of a typed one. Input: the address text. */
#include <stdlib.h>
#include <string.h>

#include "kengash/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData);

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData) {
  char *z = kg_xstrndup((const char *)aData, nData);
  char zKey[256], zUnit[96];
  kg_store_address_key(z, zKey, sizeof(zKey));
  if (strlen(zKey) >= sizeof(zKey)) abort();
  kg_store_address_unit(z, zUnit, sizeof(zUnit));
  char zSmall[8];
  kg_store_address_key(z, zSmall, sizeof(zSmall));
  free(z);
  return 0;
}
