/* search.c: full-text search that understands word forms. The FTS5
 * tokenizer "kg_stem" (registered on every connection by kg_store_open)
 * wraps unicode61 (case folding, Latin diacritics removed), spells ё as е
 * and reduces every token to its Snowball stem: Russian for Cyrillic
 * words, English for the rest, so "планировка" and "планировки" both index
 * and query as "планировк". discussions_fts and comments_fts use it
 * (migration 0017). Discussions reach their index through
 * discussions_fts_queue, which plain triggers fill (other programs lack
 * the tokenizer); kg_store_search_flush indexes the queue before a commit.
 * The two commit hooks at the end keep both indexes current. */
#include "store_int.h"

#include <libstemmer.h>
#include <stdlib.h>
#include <string.h>

#include "kengash/core.h"

#define STEM_MAX_BYTES 256 /* longer tokens are indexed as unicode61 gives them */

struct stem_tokenizer {
  fts5_tokenizer base; /* unicode61's methods */
  Fts5Tokenizer *pBase;
  struct sb_stemmer *pRu, *pEn;
};

/* The context of one xTokenize call, passed through unicode61. */
struct stem_ctx {
  struct stem_tokenizer *pTok;
  void *pCtx;
  int (*xToken)(void *, int, const char *, int, int, int);
};

static void stem_delete(Fts5Tokenizer *pT) {
  struct stem_tokenizer *p = (struct stem_tokenizer *)pT;
  if (!p) return;
  if (p->pBase) p->base.xDelete(p->pBase);
  if (p->pRu) sb_stemmer_delete(p->pRu);
  if (p->pEn) sb_stemmer_delete(p->pEn);
  sqlite3_free(p);
}

/* xCreate: azArg (after the name in tokenize = '...') goes to unicode61;
 * none means "remove_diacritics 2". */
static int stem_create(void *pApiV, const char **azArg, int nArg, Fts5Tokenizer **ppOut) {
  static const char *azDefault[] = {"remove_diacritics", "2"};
  fts5_api *pApi = pApiV;
  void *pUser = NULL;
  struct stem_tokenizer *p = sqlite3_malloc(sizeof(*p));
  int rc;
  *ppOut = NULL;
  if (!p) return SQLITE_NOMEM;
  memset(p, 0, sizeof(*p));
  rc = pApi->xFindTokenizer(pApi, "unicode61", &pUser, &p->base);
  if (rc == SQLITE_OK)
    rc = p->base.xCreate(pUser, nArg ? azArg : azDefault, nArg ? nArg : 2, &p->pBase);
  if (rc == SQLITE_OK) {
    p->pRu = sb_stemmer_new("russian", "UTF_8");
    p->pEn = sb_stemmer_new("english", "UTF_8");
    if (!p->pRu || !p->pEn) rc = SQLITE_NOMEM;
  }
  if (rc != SQLITE_OK) {
    stem_delete((Fts5Tokenizer *)p);
    return rc;
  }
  *ppOut = (Fts5Tokenizer *)p;
  return SQLITE_OK;
}

/* One token from unicode61 (lower case): ё as е, then its stem. */
static int stem_token(void *pArg, int tflags, const char *zToken, int nToken, int iStart,
                      int iEnd) {
  struct stem_ctx *c = pArg;
  unsigned char a[STEM_MAX_BYTES];
  int bCyrillic = 0, bLetter = 0;
  if (nToken <= 0 || nToken > STEM_MAX_BYTES)
    return c->xToken(c->pCtx, tflags, zToken, nToken, iStart, iEnd);
  memcpy(a, zToken, (size_t)nToken);
  for (int i = 0; i < nToken; i++) {
    if ((a[i] == 0xD0 || a[i] == 0xD1) && i + 1 < nToken) {
      bCyrillic = 1;
      if (a[i] == 0xD1 && a[i + 1] == 0x91) { /* ё (U+0451) -> е (U+0435) */
        a[i] = 0xD0;
        a[i + 1] = 0xB5;
      }
      i++;
    } else if (a[i] >= 'a' && a[i] <= 'z') {
      bLetter = 1;
    }
  }
  if (!bCyrillic && !bLetter)
    return c->xToken(c->pCtx, tflags, (const char *)a, nToken, iStart, iEnd);
  struct sb_stemmer *pSb = bCyrillic ? c->pTok->pRu : c->pTok->pEn;
  const sb_symbol *zStem = sb_stemmer_stem(pSb, a, nToken);
  if (!zStem) return SQLITE_NOMEM;
  return c->xToken(c->pCtx, tflags, (const char *)zStem, sb_stemmer_length(pSb), iStart, iEnd);
}

static int stem_tokenize(Fts5Tokenizer *pT, void *pCtx, int flags, const char *pText, int nText,
                         int (*xToken)(void *, int, const char *, int, int, int)) {
  struct stem_tokenizer *p = (struct stem_tokenizer *)pT;
  struct stem_ctx c = {p, pCtx, xToken};
  return p->base.xTokenize(p->pBase, &c, flags, pText, nText, stem_token);
}

/* The connection's fts5_api (NULL when SQLite lacks FTS5). */
static fts5_api *fts5_api_of(sqlite3 *db) {
  fts5_api *pApi = NULL;
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &s, NULL) == SQLITE_OK) {
    sqlite3_bind_pointer(s, 1, (void *)&pApi, "fts5_api_ptr", NULL);
    sqlite3_step(s);
  }
  sqlite3_finalize(s);
  return pApi;
}

int kg_store_search_register(sqlite3 *db) {
  static fts5_tokenizer tok = {stem_create, stem_delete, stem_tokenize};
  fts5_api *pApi = fts5_api_of(db);
  int rc = pApi ? pApi->xCreateTokenizer(pApi, "kg_stem", pApi, &tok, NULL) : SQLITE_ERROR;
  if (rc != SQLITE_OK) kg_log_error("store search tokenizer registration failed code=%d", rc);
  return rc;
}

enum kg_err kg_store_search_flush(struct kg_store *p) {
  static const char *const azSql[] = {
      "DELETE FROM discussions_fts WHERE rowid IN (SELECT id FROM discussions_fts_queue)",
      "INSERT INTO discussions_fts (rowid, title, project_title, description) "
      "SELECT d.id, d.title, pr.title, pr.description FROM discussions_fts_queue q "
      "JOIN discussions d ON d.id = q.id JOIN projects pr ON pr.id = d.project_id ORDER BY q.id",
      "DELETE FROM discussions_fts_queue"};
  struct kg_db_stmt *s = NULL;
  enum kg_err rc;
  int bAny = 0;
  /* a database not yet migrated to 0017 (a unit test, a restore) has no queue */
  if (sqlite3_table_column_metadata(p->db, "main", "discussions_fts_queue", "id", NULL, NULL, NULL,
                                    NULL, NULL) != SQLITE_OK)
    return KG_OK;
  rc = kg_store_sql_prepare(p, "SELECT EXISTS (SELECT 1 FROM discussions_fts_queue)", &s);
  if (rc != KG_OK) return rc;
  if ((rc = kg_store_sql_one(p, s, "search queue")) == KG_OK) bAny = kg_db_col_int(s, 0);
  kg_store_sql_done(p, s);
  if (rc != KG_OK) return rc;
  for (size_t i = 0; bAny && rc == KG_OK && i < sizeof(azSql) / sizeof(azSql[0]); i++)
    if ((rc = kg_store_sql_prepare(p, azSql[i], &s)) == KG_OK)
      rc = kg_store_sql_run(p, s, "search flush");
  return rc;
}

enum kg_err kg_store_search_hook(struct kg_store *p, enum kg_store_tx_event e) {
  return e == KG_STORE_TX_COMMIT ? kg_store_search_flush(p) : KG_OK;
}

enum kg_err kg_store_comment_fts_hook(struct kg_store *p, enum kg_store_tx_event e) {
  int nFts = p->nFtsLeft + p->nFtsTx;
  switch (e) {
  case KG_STORE_TX_COMMIT:
    p->bFtsFlush = nFts && nFts >= p->nFtsBatch;
    return p->bFtsFlush ? kg_store_comment_fts_flush(p) : KG_OK;
  case KG_STORE_TX_COMMITTED:
    p->nFtsLeft = p->bFtsFlush ? 0 : nFts;
    p->nFtsTx = 0;
    return KG_OK;
  case KG_STORE_TX_ROLLBACK:
    p->nFtsTx = 0; /* the queue rows went with the transaction */
    return KG_OK;
  }
  return KG_OK;
}

/* ---- full-text queries (store_int.h) ---- */

#define FTS_MAX_WORDS 8
#define FTS_MAX_WORD 64 /* code points kept of one word */

/* Length of a separator at z (ASCII punctuation/space or common Unicode
 * punctuation: no-break space, guillemets, U+2010..U+2027); 0 when z
 * starts a word character. */
static size_t separator_len(const unsigned char *z) {
  if (z[0] < 0x80)
    return (z[0] >= '0' && z[0] <= '9') || (z[0] >= 'a' && z[0] <= 'z') ||
                   (z[0] >= 'A' && z[0] <= 'Z') || z[0] == '_'
               ? 0
               : 1;
  if (z[0] == 0xC2 && (z[1] == 0xA0 || z[1] == 0xAB || z[1] == 0xBB)) return 2;
  if (z[0] == 0xE2 && z[1] == 0x80 && z[2] >= 0x90 && z[2] <= 0xA7) return 3;
  return 0;
}

/* A word holds no ASCII punctuation (separator_len), so neither quoting
 * can be broken. */
char *kg_store_fts_query(const char *zQuery, int bPg) {
  struct kg_buf b;
  const unsigned char *z = (const unsigned char *)zQuery;
  int nWord = 0;
  if (!zQuery) return NULL;
  kg_buf_init(&b, 4096);
  while (*z && nWord < FTS_MAX_WORDS) {
    unsigned aWord[FTS_MAX_WORD];
    size_t n = 0, k;
    while (*z && (k = separator_len(z)) > 0)
      z += k;
    if (!*z) break;
    while (*z && separator_len(z) == 0) {
      size_t nc;
      unsigned c = kg_utf8_decode(z, &nc);
      z += nc;
      if (n < FTS_MAX_WORD) aWord[n++] = kg_store_fold(c);
    }
    if (nWord) kg_buf_puts(&b, bPg ? " & " : " ");
    kg_buf_puts(&b, bPg ? "'" : "\"");
    for (size_t i = 0; i < n; i++) {
      char a[4];
      kg_buf_append(&b, a, kg_utf8_encode(aWord[i], a));
    }
    kg_buf_puts(&b, bPg ? "':*" : "\"*");
    nWord++;
  }
  if (kg_buf_failed(&b) || nWord == 0) {
    kg_buf_free(&b);
    return NULL;
  }
  return kg_buf_detach(&b, NULL);
}
