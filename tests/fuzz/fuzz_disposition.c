/* fuzz_disposition.c: the file name of a document upload's
 * Content-Disposition (src/api/projects.c, included for its static
 * reader). Input: the header value. A name it accepts must be safe to
 * show and store: valid UTF-8 text, no path separator, not "." or "..". */
#include "../../src/api/projects.c"

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData);

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData) {
  char *z = kg_xstrndup((const char *)aData, nData);
  char zName[256];
  if (disposition_filename(z, zName, sizeof(zName))) {
    size_t n = strlen(zName);
    if (n == 0 || n >= sizeof(zName) || !kg_utf8_valid_text(zName, n) || strchr(zName, '/') ||
        strchr(zName, '\\') || strcmp(zName, "..") == 0)
      abort();
  }
  free(z);
  return 0;
}
