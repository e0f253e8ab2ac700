/* fuzz_accept_encoding.c: the Accept-Encoding parser and negotiation of
 * src/http/compress.c, and the codecs on whatever bytes come: the weights
 * are 0..1000, the choice is always an available encoding or identity, a
 * refused header leaves identity only, and a compressed buffer inflates
 * back to its input (gzip). Input: the header's value. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../../src/http/http_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData);

/* 1 when z[n] gunzips to exactly zWant[nWant]. */
static int gunzip_equals(const char *z, size_t n, const char *zWant, size_t nWant) {
  z_stream s;
  memset(&s, 0, sizeof(s));
  if (inflateInit2(&s, 15 + 16) != Z_OK) return 0;
  char *a = malloc(nWant + 1);
  s.next_in = (Bytef *)(uintptr_t)z;
  s.avail_in = (uInt)n;
  s.next_out = (Bytef *)a;
  s.avail_out = (uInt)(nWant + 1);
  int rc = inflate(&s, Z_FINISH);
  int ok = rc == Z_STREAM_END && s.total_out == nWant && memcmp(a, zWant, nWant) == 0;
  inflateEnd(&s);
  free(a);
  return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData) {
  char *z = malloc(nData + 1);
  memcpy(z, aData, nData);
  z[nData] = 0;
  int aQ[KG_ENC_COUNT];
  int ok = http_ae_parse(z, aQ);
  for (int e = 0; e < KG_ENC_COUNT; e++)
    if (aQ[e] < 0 || aQ[e] > 1000) abort();
  if (!ok && (aQ[KG_ENC_IDENTITY] != 1000 || aQ[KG_ENC_GZIP] || aQ[KG_ENC_BR])) abort();
  for (unsigned m = 0; m < 4; m++) {
    enum kg_enc e = http_ae_choose(aQ, m << 1);
    if (e != KG_ENC_IDENTITY && (!(m << 1 & (1u << e)) || aQ[e] == 0)) abort();
  }
  char *zOut;
  size_t nOut;
  if (kg_http_compress(KG_ENC_GZIP, 0, z, nData, &zOut, &nOut)) {
    if (nOut >= nData || !gunzip_equals(zOut, nOut, z, nData)) abort();
    free(zOut);
  }
  free(z);
  return 0;
}
