/* addresses.c: the address register people can search. One normalisation
 * (kg_store_address_key) turns an address, as typed or as a register
 * spells it, into canonical tokens: "улица Баумана, дом 19, корп. 1" and
 * "Баумана 19к1" both give "улица баумана 19 к1". Each register row keeps
 * its tokens in address_key and in the FTS5 index address_fts (migration
 * 0010), rows put in by other tools are indexed on the next lookup, and
 * three lookups use it: suggestions while typing (kg_store_address_search),
 * the one clear match for an address given in full
 * (kg_store_address_resolve, kg_store_address_geocode) and the register's
 * own id (kg_store_address_by_ext_id). */
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RAW_MAX 48      /* words read from one text; the rest is ignored */
#define TOK_CP_MAX 32   /* code points kept of one word */
#define TOK_BYTES 132   /* a token: two words of TOK_CP_MAX code points */
#define NORM_MAX 32     /* canonical tokens kept */
#define HOUSE_BYTES 400 /* house number with the parts that fit */
#define KEY_MAX 2048
#define RARE_DOCS 300     /* a token in at most this many rows selects candidates */
#define CAND_SEARCH 100   /* candidates one index query may give a search */
#define CAND_RESOLVE 1000 /* ... and a resolve */
#define INDEX_BATCH 500   /* rows indexed per statement on PostgreSQL */

/* ---- characters ---- */

enum { CP_SEP, CP_DIGIT, CP_LETTER, CP_MARK };

/* Lower-cases one code point (Latin-1 and Latin Extended-A, Cyrillic with
 * the Tatar letters); ё and Ё become е. Shared through store_int.h. */
unsigned kg_store_fold(unsigned c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x131 && c != 0x138 && c != 0x149 &&
      c != 0x178)
    return (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E) ? (c % 2 ? c + 1 : c) : c | 1;
  if (c == 0x401 || c == 0x451) return 0x435; /* Ё ё -> е */
  if (c >= 0x410 && c <= 0x42F) return c + 0x20;
  if (c >= 0x400 && c <= 0x40F) return c + 0x50;
  if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) || (c >= 0x4D0 && c <= 0x52F))
    return c | 1; /* upper case at even code points */
  if (c == 0x4C0) return 0x4CF;
  if (c >= 0x4C1 && c <= 0x4CE) return c % 2 ? c + 1 : c;
  return c;
}

/* What code point c is in an address. Letters are the Latin and Cyrillic
 * ones (the FTS5 tokenizer's letters too, so a word is one index token);
 * everything else separates words, except combining marks, which are
 * dropped (a decomposed й is handled by the caller). */
static int cp_class(unsigned c) {
  if (c >= '0' && c <= '9') return CP_DIGIT;
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ? CP_LETTER : CP_SEP;
  if (c >= 0x300 && c <= 0x36F) return CP_MARK;
  if (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) return CP_LETTER;
  if ((c >= 0x400 && c <= 0x481) || (c >= 0x48A && c <= 0x52F)) return CP_LETTER;
  if (c >= 0x1E00 && c <= 0x1EFF) return CP_LETTER;
  return CP_SEP;
}

/* Separators that join the parts of one word: "пр-т", "б/р", "1-я". */
static int is_joiner(unsigned c) {
  return c == '-' || c == '/' || c == '\\' || (c >= 0x2010 && c <= 0x2015) || c == 0x2212;
}

/* ---- words ---- */

/* How a word was separated from the one before it. */
enum { SEP_SPACE, SEP_JOIN, SEP_NONE /* glued: "19" + "к" in "19к1" */ };

struct raw {
  char z[TOK_CP_MAX * 3 + 1]; /* lower case */
  unsigned char bDigit;
  unsigned char eSep;
  unsigned char bComma; /* a comma or semicolon before it: a new part of the address */
};

/* Splits zText into at most RAW_MAX words: runs of letters or of digits
 * ("19к1" is three words, glued), '/' inside a number kept ("19/2").
 * Returns the count. */
static int split_words(const char *zText, struct raw *aRaw) {
  const unsigned char *z = (const unsigned char *)zText;
  struct raw *pCur = NULL;
  size_t nBytes = 0, nCp = 0;
  int n = 0, bOther = 1; /* the separators since the last word were not only joiners */
  int bComma = 0;        /* ... held a comma */
  int cls = CP_SEP;
  while (z && *z) {
    size_t k;
    unsigned c = kg_utf8_decode(z, &k);
    int e = cp_class(c);
    if (e == CP_MARK) { /* й decomposed: и + combining breve */
      if (c == 0x306 && pCur && nBytes >= 2 && memcmp(pCur->z + nBytes - 2, "и", 2) == 0)
        memcpy(pCur->z + nBytes - 2, "й", 2);
      z += k;
      continue;
    }
    if (c == '/' && pCur && cls == CP_DIGIT && z[1] >= '0' && z[1] <= '9' && nCp < TOK_CP_MAX) {
      pCur->z[nBytes++] = '/';
      pCur->z[nBytes] = 0;
      nCp++;
      z += k;
      continue;
    }
    if (e == CP_SEP) {
      pCur = NULL;
      if (!is_joiner(c)) bOther = 1;
      if (c == ',' || c == ';') bComma = 1;
      z += k;
      continue;
    }
    if (!pCur || e != cls) {
      int eSep = pCur ? SEP_NONE : bOther ? SEP_SPACE : SEP_JOIN;
      if (n == RAW_MAX) break;
      pCur = &aRaw[n++];
      pCur->bDigit = e == CP_DIGIT;
      pCur->eSep = (unsigned char)eSep;
      pCur->bComma = (unsigned char)(eSep != SEP_NONE && bComma);
      pCur->z[0] = 0;
      nBytes = nCp = 0;
      cls = e;
      bOther = 0;
      bComma = 0;
    }
    if (nCp < TOK_CP_MAX) {
      nBytes += kg_utf8_encode(kg_store_fold(c), pCur->z + nBytes);
      pCur->z[nBytes] = 0;
      nCp++;
    }
    z += k;
  }
  return n;
}

/* What a word means in an address. */
enum word_kind {
  W_PLAIN,
  W_TYPE,        /* a street type: zCanon is its one spelling */
  W_CITY,        /* г, город: dropped */
  W_SETTLE,      /* a settlement type before its name: dropped */
  W_HOUSE,       /* д, дом, владение: dropped, the number after it is the house */
  W_PART_K,      /* корпус */
  W_PART_S,      /* строение */
  W_PART_L,      /* литера */
  W_FLAT,        /* кв, офис: dropped with the number after it */
  W_REGION_PRE,  /* республика: dropped with the name after it (or before it) */
  W_REGION_POST, /* область, район: dropped with the name before it (or after it) */
  W_DROP         /* dropped: Россия, городской округ */
};

static const struct word {
  const char *z;
  unsigned char e;
  const char *zCanon;
} aWord[] = {
    {"ул", W_TYPE, "улица"},
    {"улица", W_TYPE, "улица"},
    {"урам", W_TYPE, "улица"}, /* Tatar */
    {"урамы", W_TYPE, "улица"},
    {"пр", W_TYPE, "проспект"},
    {"просп", W_TYPE, "проспект"},
    {"проспект", W_TYPE, "проспект"},
    {"проспекты", W_TYPE, "проспект"},
    {"пер", W_TYPE, "переулок"},
    {"переулок", W_TYPE, "переулок"},
    {"тыкрыгы", W_TYPE, "переулок"},
    {"наб", W_TYPE, "набережная"},
    {"набережная", W_TYPE, "набережная"},
    {"пл", W_TYPE, "площадь"},
    {"площадь", W_TYPE, "площадь"},
    {"мәйданы", W_TYPE, "площадь"},
    {"бул", W_TYPE, "бульвар"},
    {"бульв", W_TYPE, "бульвар"},
    {"бульвар", W_TYPE, "бульвар"},
    {"ш", W_TYPE, "шоссе"},
    {"шоссе", W_TYPE, "шоссе"},
    {"проезд", W_TYPE, "проезд"},
    {"тр", W_TYPE, "тракт"},
    {"тракт", W_TYPE, "тракт"},
    {"туп", W_TYPE, "тупик"},
    {"тупик", W_TYPE, "тупик"},
    {"ал", W_TYPE, "аллея"},
    {"аллея", W_TYPE, "аллея"},
    {"мкр", W_TYPE, "микрорайон"},
    {"мкрн", W_TYPE, "микрорайон"},
    {"микрорайон", W_TYPE, "микрорайон"},
    {"кварт", W_TYPE, "квартал"},
    {"квартал", W_TYPE, "квартал"},
    {"лин", W_TYPE, "линия"},
    {"линия", W_TYPE, "линия"},
    {"дор", W_TYPE, "дорога"},
    {"дорога", W_TYPE, "дорога"},
    {"сл", W_TYPE, "слобода"},
    {"слобода", W_TYPE, "слобода"},
    {"тер", W_TYPE, "территория"},
    {"территория", W_TYPE, "территория"},
    {"г", W_CITY, NULL},
    {"гор", W_CITY, NULL},
    {"город", W_CITY, NULL},
    {"п", W_SETTLE, NULL},
    {"пос", W_SETTLE, NULL},
    {"поселок", W_SETTLE, NULL},
    {"пгт", W_SETTLE, NULL},
    {"рп", W_SETTLE, NULL},
    {"село", W_SETTLE, NULL},
    {"дер", W_SETTLE, NULL},
    {"деревня", W_SETTLE, NULL},
    {"х", W_SETTLE, NULL},
    {"хутор", W_SETTLE, NULL},
    {"снт", W_SETTLE, NULL},
    {"д", W_HOUSE, NULL}, /* деревня before a name */
    {"дом", W_HOUSE, NULL},
    {"вл", W_HOUSE, NULL},
    {"влд", W_HOUSE, NULL},
    {"владение", W_HOUSE, NULL},
    {"домовладение", W_HOUSE, NULL},
    {"зд", W_HOUSE, NULL},
    {"здание", W_HOUSE, NULL},
    {"уч", W_HOUSE, NULL},
    {"участок", W_HOUSE, NULL},
    {"к", W_PART_K, "к"},
    {"корп", W_PART_K, "к"},
    {"корпус", W_PART_K, "к"},
    {"с", W_PART_S, "с"}, /* село before a name */
    {"стр", W_PART_S, "с"},
    {"строение", W_PART_S, "с"},
    {"лит", W_PART_L, "л"},
    {"литер", W_PART_L, "л"},
    {"литера", W_PART_L, "л"},
    {"кв", W_FLAT, NULL},
    {"квартира", W_FLAT, NULL},
    {"ком", W_FLAT, NULL},
    {"комн", W_FLAT, NULL},
    {"комната", W_FLAT, NULL},
    {"оф", W_FLAT, NULL},
    {"офис", W_FLAT, NULL},
    {"пом", W_FLAT, NULL},
    {"помещение", W_FLAT, NULL},
    {"респ", W_REGION_PRE, NULL},
    {"республика", W_REGION_PRE, NULL},
    {"обл", W_REGION_POST, NULL},
    {"область", W_REGION_POST, NULL},
    {"край", W_REGION_POST, NULL},
    {"ао", W_REGION_POST, NULL},
    {"аобл", W_REGION_POST, NULL},
    {"район", W_REGION_POST, NULL},
    {"россия", W_DROP, NULL},
    {"рф", W_DROP, NULL},
    {"рт", W_DROP, NULL},
    {"городской", W_DROP, NULL},
    {"округ", W_DROP, NULL},
    {"муниципальный", W_DROP, NULL},
    {"поселение", W_DROP, NULL},
    {"сельское", W_DROP, NULL},
    {"городское", W_DROP, NULL},
};

/* Two words joined by a hyphen or slash that make one: "пр-т", "б-р". */
static const struct pair {
  const char *z1, *z2;
  unsigned char e;
  const char *zCanon;
} aPair[] = {
    {"пр", "т", W_TYPE, "проспект"},    {"пр", "кт", W_TYPE, "проспект"},
    {"пр", "д", W_TYPE, "проезд"},      {"пр", "зд", W_TYPE, "проезд"},
    {"б", "р", W_TYPE, "бульвар"},      {"пл", "дь", W_TYPE, "площадь"},
    {"тр", "т", W_TYPE, "тракт"},       {"кв", "л", W_TYPE, "квартал"},
    {"мкр", "н", W_TYPE, "микрорайон"}, {"мк", "н", W_TYPE, "микрорайон"},
    {"р", "н", W_REGION_POST, NULL},    {"г", "о", W_DROP, NULL},
    {"м", "р", W_DROP, NULL},           {"с", "п", W_DROP, NULL},
};

/* Endings of ordinal numbers in street names: "1-я Владимирская". */
static const char *const azOrdinal[] = {"я",  "й",  "ая", "яя", "ой", "ый",
                                        "ий", "го", "е",  "ое", "ья"};

static const struct word *word_find(const char *z) {
  for (size_t i = 0; i < sizeof(aWord) / sizeof(aWord[0]); i++)
    if (strcmp(aWord[i].z, z) == 0) return &aWord[i];
  return NULL;
}

static int word_kind(const struct raw *r) {
  const struct word *w = r->bDigit ? NULL : word_find(r->z);
  return w ? w->e : W_PLAIN;
}

/* 1 when r is a name (letters with no role), so it can follow a marker. */
static int is_name(const struct raw *r) {
  return r && !r->bDigit && word_kind(r) == W_PLAIN;
}

/* 1 when v completes part marker kind e: a number, or one letter after литера. */
static int part_value(int e, const struct raw *v) {
  if (!v) return 0;
  if (v->bDigit) return 1;
  return e == W_PART_L && kg_utf8_len(v->z) == 1;
}

static int is_part(int e) {
  return e == W_PART_K || e == W_PART_S || e == W_PART_L;
}

/* ---- canonical tokens ---- */

/* TK_CITY: a word of a settlement's name, after г., пос., с. ... ("г.
 * Казань") or before "г" ("Казань г"): a query may leave it out when the
 * register has no city in its addresses, and it is not a different
 * address when the register has it and the query does not. */
enum { TK_WORD, TK_TYPE, TK_NUM, TK_HOUSE, TK_PART, TK_CITY };

struct tok {
  char z[TOK_BYTES];
  unsigned char e;
  unsigned char bMarked; /* TK_NUM after д/дом */
  unsigned char bLast;   /* made from the text's last word */
  const char *zRaw;      /* TK_TYPE: the word as written (for typing) */
};

struct norm {
  struct tok a[NORM_MAX];
  int n;
  int bHouse;
  char zHouse[HOUSE_BYTES]; /* "19 к1"; "" when there is no house number */
  char zCity[HOUSE_BYTES];  /* the TK_CITY tokens; "" when none */
};

static struct tok *emit(struct norm *p, int e, const char *z1, const char *z2) {
  if (p->n == NORM_MAX) return NULL;
  struct tok *t = &p->a[p->n++];
  snprintf(t->z, sizeof(t->z), "%s%s", z1, z2 ? z2 : "");
  t->e = (unsigned char)e;
  t->bMarked = t->bLast = 0;
  t->zRaw = NULL;
  return t;
}

/* Drops the last token when it is a name (the name of a region marked after it). */
static void drop_name_before(struct norm *p) {
  if (p->n > 0 && (p->a[p->n - 1].e == TK_WORD || p->a[p->n - 1].e == TK_CITY)) p->n--;
}

static int tok_cmp(const void *pA, const void *pB) {
  return strcmp(((const struct tok *)pA)->z, ((const struct tok *)pB)->z);
}

/* The walk of canonical() over the raw words: where it is and what it
 * has seen. */
struct walk {
  const struct raw *R;
  int nR, i;
  int bMark;  /* the word before was д/дом and this is a number */
  int bCity;  /* in a settlement's name */
  int iGroup; /* first token of this part of the address (after a comma) */
};

/* The number at R[i], with a letter or an ordinal ending joined to it: a
 * TK_NUM token, or nothing for a postcode. Returns the words used. */
static int number_token(struct walk *w, struct norm *pN) {
  const struct raw *t = &w->R[w->i], *u = w->i + 1 < w->nR ? &w->R[w->i + 1] : NULL;
  const struct raw *v = w->i + 2 < w->nR ? &w->R[w->i + 2] : NULL;
  int nUsed = 1;
  struct tok *pT = NULL;
  w->bCity = 0;
  size_t nLen = strlen(t->z);
  if (nLen == 6 && !strchr(t->z, '/')) return 1; /* a postcode */
  int eU = u ? word_kind(u) : W_PLAIN;
  int bOrdinal = 0;
  if (u && !u->bDigit && u->eSep == SEP_JOIN)
    for (size_t k = 0; k < sizeof(azOrdinal) / sizeof(azOrdinal[0]); k++)
      if (strcmp(u->z, azOrdinal[k]) == 0) bOrdinal = 1;
  if (bOrdinal) {
    pT = emit(pN, TK_WORD, t->z, u->z);
    nUsed = 2;
  } else if (u && !u->bDigit && kg_utf8_len(u->z) == 1 && !(is_part(eU) && part_value(eU, v)) &&
             (u->eSep != SEP_SPACE || !is_name(v)) && !(v && v->bDigit && v->eSep == SEP_NONE)) {
    /* a letter of the house number: "19а", "19 А", "19-а"; but к and
     * с with nothing after them are a part still being typed */
    if ((eU == W_PART_K || eU == W_PART_S) && !v) {
      pT = emit(pN, TK_NUM, t->z, NULL);
      nUsed = 2;
    } else {
      pT = emit(pN, TK_NUM, t->z, u->z);
      nUsed = 2;
    }
  } else {
    pT = emit(pN, TK_NUM, t->z, NULL);
  }
  if (pT && w->bMark) pT->bMarked = 1;
  w->bMark = 0;
  if (pT && w->i + nUsed == w->nR) pT->bLast = 1;
  return nUsed;
}

/* The word at R[i]: a two-word marker, a street type, a marker of the
 * city, house, part, flat or region (which set the walk's state), or a
 * name. Returns the words used. */
static int word_token(struct walk *w, struct norm *pN) {
  const struct raw *t = &w->R[w->i], *u = w->i + 1 < w->nR ? &w->R[w->i + 1] : NULL;
  const struct raw *v = w->i + 2 < w->nR ? &w->R[w->i + 2] : NULL;
  int nUsed = 1;
  struct tok *pT = NULL;
  /* a name after a settlement marker, in the same part of the address */
  int bNameNext = is_name(u) && !u->bComma;
  w->bMark = 0;
  const struct pair *pPair = NULL;
  if (u && !u->bDigit && u->eSep == SEP_JOIN)
    for (size_t k = 0; k < sizeof(aPair) / sizeof(aPair[0]); k++)
      if (strcmp(aPair[k].z1, t->z) == 0 && strcmp(aPair[k].z2, u->z) == 0) pPair = &aPair[k];
  if (pPair) {
    if (pPair->e == W_TYPE && (pT = emit(pN, TK_TYPE, pPair->zCanon, NULL)) != NULL)
      pT->zRaw = u->z;
    else if (pPair->e == W_REGION_POST)
      drop_name_before(pN);
    if (pT && w->i + 2 == w->nR) pT->bLast = 1;
    return 2;
  }
  const struct word *pW = word_find(t->z);
  switch (pW ? pW->e : W_PLAIN) {
  case W_TYPE:
    if ((pT = emit(pN, TK_TYPE, pW->zCanon, NULL)) != NULL) pT->zRaw = t->z;
    w->bCity = 0;
    break;
  case W_CITY:
    if (u && !u->bDigit && strcmp(u->z, "о") == 0) {
      nUsed = 2; /* г.о. */
    } else if (bNameNext) {
      w->bCity = 1;
    } else { /* "Казань г": the names of this part before it */
      for (int k = w->iGroup; k < pN->n; k++)
        if (pN->a[k].e == TK_WORD) pN->a[k].e = TK_CITY;
    }
    break;
  case W_HOUSE:
    w->bMark = u && u->bDigit; /* before a name: д(еревня) */
    w->bCity = bNameNext;
    break;
  case W_PART_K:
  case W_PART_S:
  case W_PART_L:
    if (part_value(pW->e, u)) {
      pT = emit(pN, TK_PART, pW->zCanon, u->z);
      nUsed = 2;
      w->bCity = 0;
    } else { /* a marker with nothing after it, or с(ело) before a name */
      w->bCity = pW->e == W_PART_S && bNameNext;
    }
    break;
  case W_FLAT:
    if (u && u->bDigit) {
      nUsed = 2;
      if (v && !v->bDigit && v->eSep != SEP_SPACE && kg_utf8_len(v->z) == 1) nUsed = 3; /* 5а */
    }
    break;
  case W_REGION_PRE:
    if (is_name(u))
      nUsed = 2;
    else
      drop_name_before(pN);
    break;
  case W_REGION_POST:
    if (pN->n > 0 && pN->a[pN->n - 1].e == TK_WORD)
      drop_name_before(pN);
    else if (is_name(u))
      nUsed = 2;
    break;
  case W_SETTLE:
    w->bCity = bNameNext;
    break;
  case W_DROP:
    break;
  default:
    pT = emit(pN, w->bCity ? TK_CITY : TK_WORD, t->z, NULL);
  }
  if (pT && w->i + nUsed == w->nR) pT->bLast = 1;
  return nUsed;
}

/* The house number: the one after д/дом; else the first number that ends
 * the address or is followed by a part or a number (not "8" in "8
 * Марта"); else the last number. The other numbers become names. Returns
 * its index, -1 when none. */
static int house_number(struct norm *pN) {
  int iHouse = -1;
  for (int k = 0; k < pN->n && iHouse < 0; k++)
    if (pN->a[k].e == TK_NUM && pN->a[k].bMarked) iHouse = k;
  for (int k = 0; k < pN->n && iHouse < 0; k++)
    if (pN->a[k].e == TK_NUM &&
        (k + 1 == pN->n || pN->a[k + 1].e == TK_PART || pN->a[k + 1].e == TK_NUM))
      iHouse = k;
  for (int k = pN->n - 1; k >= 0 && iHouse < 0; k--)
    if (pN->a[k].e == TK_NUM) iHouse = k;
  for (int k = 0; k < pN->n; k++)
    if (pN->a[k].e == TK_NUM) pN->a[k].e = k == iHouse ? TK_HOUSE : TK_WORD;
  return iHouse;
}

/* zCity from the TK_CITY tokens; the parts right after the house iHouse
 * (when there is one), in one order (19 к1 с2), and zHouse. */
static void house_and_parts(struct norm *pN, int iHouse) {
  struct tok aPart[NORM_MAX];
  int nPart = 0, j = 0;
  for (int k = 0; k < pN->n; k++)
    if (pN->a[k].e == TK_PART) aPart[nPart++] = pN->a[k];
  if (nPart > 1) qsort(aPart, (size_t)nPart, sizeof(aPart[0]), tok_cmp);
  pN->bHouse = iHouse >= 0;
  pN->zHouse[0] = 0;
  size_t nC = 0;
  pN->zCity[0] = 0;
  for (int k = 0; k < pN->n; k++) {
    size_t nT = strlen(pN->a[k].z);
    if (pN->a[k].e != TK_CITY || nC + 1 + nT >= sizeof(pN->zCity)) continue;
    if (nC) pN->zCity[nC++] = ' ';
    memcpy(pN->zCity + nC, pN->a[k].z, nT + 1);
    nC += nT;
  }
  if (iHouse < 0) return;
  struct tok aOut[NORM_MAX];
  size_t nH = 0;
  for (int k = 0; k < pN->n; k++) {
    if (pN->a[k].e == TK_PART) continue;
    aOut[j++] = pN->a[k];
    if (k != iHouse) continue;
    nH = (size_t)snprintf(pN->zHouse, sizeof(pN->zHouse), "%s", pN->a[k].z);
    for (int m = 0; m < nPart; m++) {
      size_t nP = strlen(aPart[m].z);
      aOut[j++] = aPart[m];
      if (nH + 1 + nP < sizeof(pN->zHouse)) { /* whole parts only */
        pN->zHouse[nH++] = ' ';
        memcpy(pN->zHouse + nH, aPart[m].z, nP + 1);
        nH += nP;
      }
    }
  }
  memcpy(pN->a, aOut, (size_t)j * sizeof(aOut[0]));
  pN->n = j;
}

/* Turns the words of an address into canonical tokens (see store.h for
 * the rules). Needs the last raw word's text to outlive pN (zRaw). */
static void canonical(const struct raw *R, int nR, struct norm *pN) {
  struct walk w = {R, nR, 0, 0, 0, 0};
  pN->n = 0;
  while (w.i < nR) {
    if (R[w.i].bComma) {
      w.bCity = 0;
      w.iGroup = pN->n;
    }
    w.i += R[w.i].bDigit ? number_token(&w, pN) : word_token(&w, pN);
  }
  house_and_parts(pN, house_number(pN));
}

static void normalise(const char *zText, struct raw *aRaw, struct norm *pN) {
  int nR = split_words(zText, aRaw);
  canonical(aRaw, nR, pN);
}

/* The tokens of pN joined by spaces into z[n], truncated at a UTF-8 boundary. */
static void key_write(const struct norm *pN, char *z, size_t n) {
  size_t iOut = 0;
  if (n == 0) return;
  for (int k = 0; k < pN->n; k++) {
    const char *zT = pN->a[k].z;
    size_t nT = strlen(zT);
    if (k && iOut + 1 < n) z[iOut++] = ' ';
    if (iOut + nT >= n) {
      nT = n - 1 - iOut;
      while (nT > 0 && ((unsigned char)zT[nT] & 0xC0) == 0x80)
        nT--;
    }
    memcpy(z + iOut, zT, nT);
    iOut += nT;
  }
  while (iOut > 0 && z[iOut - 1] == ' ')
    iOut--;
  z[iOut] = 0;
}

void kg_store_address_key(const char *zAddress, char *zKey, size_t nKey) {
  struct raw *aRaw = kg_xmalloc(RAW_MAX * sizeof(*aRaw));
  struct norm *pN = kg_xmalloc(sizeof(*pN));
  normalise(zAddress, aRaw, pN);
  key_write(pN, zKey, nKey);
  free(pN);
  free(aRaw);
}

/* The label a flat, room, office or premises word is written with. */
static const char *unit_label(const char *z) {
  if (strncmp(z, "кв", strlen("кв")) == 0) return "кв.";
  if (strncmp(z, "ком", strlen("ком")) == 0) return "комн.";
  if (strncmp(z, "оф", strlen("оф")) == 0) return "оф.";
  return "пом.";
}

void kg_store_address_unit(const char *zAddress, char *zOut, size_t nOut) {
  struct raw *aRaw = kg_xmalloc(RAW_MAX * sizeof(*aRaw));
  int n = split_words(zAddress, aRaw);
  if (nOut) zOut[0] = 0;
  for (int i = 0; i + 1 < n && nOut; i++) {
    if (word_kind(&aRaw[i]) != W_FLAT || !aRaw[i + 1].bDigit) continue;
    const struct raw *v = i + 2 < n ? &aRaw[i + 2] : NULL;
    int bLetter = v && !v->bDigit && v->eSep != SEP_SPACE && kg_utf8_len(v->z) == 1; /* 5а */
    snprintf(zOut, nOut, "%s %s%s", unit_label(aRaw[i].z), aRaw[i + 1].z, bLetter ? v->z : "");
    break;
  }
  free(aRaw);
}

/* ---- the index ---- */

/* SQL functions kg_address_key(address), kg_address_house(address) and
 * kg_address_city(address): the canonical tokens, the house number with
 * its parts and the settlement's tokens, for the store's own statements
 * that index many rows at once. */
static void address_fn(sqlite3_context *ctx, int nArg, sqlite3_value **aArg) {
  const char *zAddress = (const char *)sqlite3_value_text(aArg[0]);
  (void)nArg;
  if (!zAddress) {
    sqlite3_result_null(ctx);
    return;
  }
  struct raw *aRaw = kg_xmalloc(RAW_MAX * sizeof(*aRaw));
  struct norm *pN = kg_xmalloc(sizeof(*pN));
  char *zKey = kg_xmalloc(KEY_MAX);
  normalise(zAddress, aRaw, pN);
  const int *pWhat = sqlite3_user_data(ctx);
  if (*pWhat == 1) {
    sqlite3_result_text(ctx, pN->zHouse, -1, SQLITE_TRANSIENT);
  } else if (*pWhat == 2) {
    sqlite3_result_text(ctx, pN->zCity, -1, SQLITE_TRANSIENT);
  } else {
    key_write(pN, zKey, KEY_MAX);
    sqlite3_result_text(ctx, zKey, -1, SQLITE_TRANSIENT);
  }
  free(zKey);
  free(pN);
  free(aRaw);
}

void kg_store_address_functions(sqlite3 *db) {
  static const int aWhat[3] = {0, 1, 2};
  static const char *const azName[3] = {"kg_address_key", "kg_address_house", "kg_address_city"};
  int f = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY;
  for (int i = 0; i < 3; i++)
    if (sqlite3_create_function(db, azName[i], 1, f, (void *)&aWhat[i], address_fn, NULL, NULL))
      kg_log_error("store address functions err=\"%s\"", sqlite3_errmsg(db));
}

/* Runs constant SQL zSql (no result rows) through the statement cache. */
static enum kg_err run_sql(struct kg_store *p, const char *zSql, const char *zWhat) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_prepare(p, zSql, &s);
  return rc ? rc : kg_store_sql_run(p, s, zWhat);
}

/* PostgreSQL: indexes the queued rows (their address_fts rows already
 * deleted) with the key, house and settlement computed here, as
 * address_fn does on SQLite (whose SQL functions a PostgreSQL connection
 * lacks): INDEX_BATCH rows are read, then written by one statement that
 * sets address_registry.address_key where it differs and inserts the
 * address_fts rows, from a JSON array (json_to_recordset). The caller's
 * transaction. */
static enum kg_err index_queue_pg(struct kg_store *p) {
  struct raw *aRaw = kg_xmalloc(RAW_MAX * sizeof(*aRaw));
  struct norm *pN = kg_xmalloc(sizeof(*pN));
  char *zKey = kg_xmalloc(KEY_MAX);
  int64_t idLast = 0;
  enum kg_err rc = KG_OK;
  for (int nRow = INDEX_BATCH; rc == KG_OK && nRow == INDEX_BATCH;) {
    struct kg_db_stmt *s = NULL;
    struct kg_buf b;
    nRow = 0;
    kg_buf_init(&b, (size_t)INDEX_BATCH * (KEY_MAX + 2 * HOUSE_BYTES) * 2);
    kg_buf_puts(&b, "[");
    rc = kg_store_sql_query(p, &s,
                            "SELECT q.id, r.address FROM address_index_queue q "
                            "JOIN address_registry r ON r.id = q.id "
                            "WHERE q.id > ?1 ORDER BY q.id LIMIT ?2",
                            "ik", idLast, INDEX_BATCH);
    while (rc == KG_OK && (rc = kg_store_sql_row(p, s, "address index read")) == KG_OK) {
      const char *zAddress = kg_store_col_text(s, 1);
      idLast = kg_db_col_i64(s, 0);
      normalise(zAddress ? zAddress : "", aRaw, pN);
      key_write(pN, zKey, KEY_MAX);
      kg_buf_printf(&b, "%s{\"id\":%lld,\"k\":\"", nRow++ ? "," : "", (long long)idLast);
      kg_buf_json_escape(&b, zKey);
      kg_buf_puts(&b, "\",\"h\":\"");
      kg_buf_json_escape(&b, pN->zHouse);
      kg_buf_puts(&b, "\",\"c\":\"");
      kg_buf_json_escape(&b, pN->zCity);
      kg_buf_puts(&b, "\"}");
    }
    if (rc == KG_ENOTFOUND) rc = KG_OK;
    if (s) kg_store_sql_done(p, s);
    kg_buf_puts(&b, "]");
    if (rc == KG_OK && kg_buf_failed(&b)) rc = KG_ETOOBIG; /* cannot be: sized for the batch */
    if (rc == KG_OK && nRow)
      rc = kg_store_sql_exec(p, "address index insert",
                             "WITH x AS (SELECT * FROM json_to_recordset(?1::json) "
                             "AS x(id bigint, k text, h text, c text)), "
                             "u AS (UPDATE address_registry r SET address_key = x.k FROM x "
                             "WHERE r.id = x.id AND r.address_key IS DISTINCT FROM x.k) "
                             "INSERT INTO address_fts (id, tokens, house, city) "
                             "SELECT id, k, h, c FROM x",
                             "t", b.a);
    kg_buf_free(&b);
  }
  free(zKey);
  free(pN);
  free(aRaw);
  return rc;
}

enum kg_err kg_store_address_index(struct kg_store *p) {
  struct kg_db_stmt *s = NULL;
  struct kg_store_tx tx = {0, 0};
  enum kg_err rc =
      kg_store_sql_prepare(p,
                           "SELECT EXISTS (SELECT 1 FROM address_index_queue) "
                           "OR EXISTS (SELECT 1 FROM address_registry WHERE address_key IS NULL)",
                           &s);
  if (rc) return rc;
  rc = kg_store_sql_one(p, s, "address index probe");
  int bWork = rc == KG_OK && kg_db_col_int(s, 0);
  kg_store_sql_done(p, s);
  if (rc || !bWork) return rc;

  /* One statement per step, so FTS5 writes one segment for all the rows
   * (it writes one at every statement of a transaction that touched it).
   * On PostgreSQL (zPg) index_queue_pg computes the keys where SQLite's
   * statements call kg_address_key/_house/_city: zPg NULL runs it, ""
   * marks the step it did too. */
  if ((rc = kg_store_tx_begin(p, &tx)) != KG_OK) return rc;
  static const struct {
    const char *zLite, *zPg, *zWhat;
  } aStep[] = {
      {"INSERT OR IGNORE INTO address_index_queue (id) "
       "SELECT id FROM address_registry WHERE address_key IS NULL",
       "INSERT OR IGNORE INTO address_index_queue (id) "
       "SELECT id FROM address_registry WHERE address_key IS NULL",
       "address index queue"},
      {"DELETE FROM address_fts WHERE rowid IN (SELECT id FROM address_index_queue)",
       "DELETE FROM address_fts WHERE id IN (SELECT id FROM address_index_queue)",
       "address index delete"},
      {"UPDATE address_registry SET address_key = kg_address_key(address) "
       "WHERE id IN (SELECT id FROM address_index_queue) "
       "AND address_key IS NOT kg_address_key(address)",
       NULL, "address key set"},
      {"INSERT INTO address_fts (rowid, tokens, house, city) "
       "SELECT r.id, r.address_key, kg_address_house(r.address), kg_address_city(r.address) "
       "FROM address_index_queue q JOIN address_registry r ON r.id = q.id",
       "", "address index insert"},
      {"DELETE FROM address_index_queue", "DELETE FROM address_index_queue", "address index done"},
  };
  for (size_t i = 0; i < sizeof(aStep) / sizeof(aStep[0]) && rc == KG_OK; i++) {
    const char *zSql = p->pPg ? aStep[i].zPg : aStep[i].zLite;
    if (!zSql)
      rc = index_queue_pg(p);
    else if (*zSql)
      rc = run_sql(p, zSql, aStep[i].zWhat);
  }
  kg_store_tx_finish(p, &tx, &rc);
  return rc;
}

/* ---- ranking ---- */

/* Tiers, best first. */
enum {
  TIER_EQUAL,       /* the same canonical tokens */
  TIER_HOUSE,       /* every token, and the house number with its parts the same */
  TIER_ALL,         /* every token (19 к1 for 19; any house when none is asked) */
  TIER_PREFIX,      /* every token, the last one begun */
  TIER_UNTYPED,     /* the street type differs; the house the same */
  TIER_UNTYPED_ANY, /* the street type differs */
  TIER_NONE = -1
};

struct span {
  const char *z;
  size_t n;
};

/* The tier of a register row with key zKey and house zHouse for query pN. */
/* The index of the first token of aTok (nTok) that is z exactly or, with
 * bPrefix, starts with z; one not yet in aUsed first (a word the query
 * repeats may match the same token). -1 when none. */
static int find_token(const struct span *aTok, int nTok, const char *aUsed, const char *z,
                      int bPrefix) {
  size_t n = strlen(z);
  for (int bAny = 0; bAny < 2; bAny++)
    for (int i = 0; i < nTok; i++)
      if ((bAny || !aUsed[i]) && aTok[i].n >= n && memcmp(aTok[i].z, z, n) == 0 &&
          (bPrefix || aTok[i].n == n))
        return i;
  return -1;
}

/* 1 when span t is a street type as the key spells it ("улица"). */
static int is_type_token(const struct span *t) {
  for (size_t i = 0; i < sizeof(aWord) / sizeof(aWord[0]); i++)
    if (aWord[i].e == W_TYPE && strlen(aWord[i].zCanon) == t->n &&
        memcmp(aWord[i].zCanon, t->z, t->n) == 0)
      return 1;
  return 0;
}

/* 1 when span t is one of the space-separated tokens of zList. */
static int in_list(const char *zList, const struct span *t) {
  for (const char *z = zList; z && *z;) {
    const char *zEnd = strchr(z, ' ');
    size_t n = zEnd ? (size_t)(zEnd - z) : strlen(z);
    if (n == t->n && memcmp(z, t->z, n) == 0) return 1;
    z += n + (zEnd != NULL);
  }
  return 0;
}

/* The tier of a register row with key zKey, house zHouse and settlement
 * tokens zCity for query pN. A query's settlement may be missing from a
 * register that writes none; the row's other tokens that the query lacks
 * must be a street type or its settlement for the same house to count. */
static int rank(const struct norm *pN, const char *zKey, const char *zHouse, const char *zCity) {
  struct span aTok[64];
  char aUsed[64] = {0};
  int nTok = 0;
  for (const char *z = zKey; *z && nTok < 64;) {
    const char *zEnd = strchr(z, ' ');
    size_t n = zEnd ? (size_t)(zEnd - z) : strlen(z);
    if (n) aTok[nTok++] = (struct span){z, n};
    z += n + (zEnd != NULL);
  }
  int bExact = 1, bPrefix = 1, bUntyped = 1, bSoft = 0;
  for (int k = 0; k < pN->n; k++) {
    const struct tok *t = &pN->a[k];
    int i = find_token(aTok, nTok, aUsed, t->z, 0);
    if (i < 0 && t->bLast) {
      i = find_token(aTok, nTok, aUsed, t->z, 1);
      if (i < 0 && t->zRaw) i = find_token(aTok, nTok, aUsed, t->zRaw, 1);
      if (i >= 0) bExact = 0; /* begun, not whole */
    }
    if (i >= 0) {
      aUsed[i] = 1;
      continue;
    }
    if (t->e == TK_CITY && !(zCity && *zCity)) {
      bSoft = 1; /* the register writes no settlement */
      continue;
    }
    bExact = bPrefix = 0;
    if (t->e != TK_TYPE) bUntyped = 0;
  }
  int nHard = 0; /* the row's tokens the query lacks, but for types and its settlement */
  for (int i = 0; i < nTok; i++)
    if (!aUsed[i] && !is_type_token(&aTok[i]) && !in_list(zCity, &aTok[i])) nHard++;
  int bSameHouse = pN->bHouse && strcmp(zHouse ? zHouse : "", pN->zHouse) == 0 && nHard == 0;
  if (bExact && !bSoft && nTok == pN->n) return TIER_EQUAL;
  if (bExact) return bSameHouse ? TIER_HOUSE : TIER_ALL;
  if (bPrefix) return TIER_PREFIX;
  if (bUntyped) return bSameHouse ? TIER_UNTYPED : TIER_UNTYPED_ANY;
  return TIER_NONE;
}

/* strcmp with runs of digits compared as numbers: "баумана 2" < "баумана 19". */
static int natural_cmp(const char *a, const char *b) {
  while (*a && *b) {
    if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
      while (*a == '0')
        a++;
      while (*b == '0')
        b++;
      size_t na = 0, nb = 0;
      while (a[na] >= '0' && a[na] <= '9')
        na++;
      while (b[nb] >= '0' && b[nb] <= '9')
        nb++;
      if (na != nb) return na < nb ? -1 : 1;
      int c = memcmp(a, b, na);
      if (c) return c;
      a += na;
      b += nb;
      continue;
    }
    if (*a != *b) return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
    a++;
    b++;
  }
  return *a ? 1 : *b ? -1 : 0;
}

struct cand {
  int64_t id;
  int tier;
  char *zKey;
};

struct cands {
  struct cand *a;
  int n, nAlloc;
  int64_t aSet[4096]; /* ids seen (open addressing; 0 is empty) */
};

static int cand_cmp(const void *pA, const void *pB) {
  const struct cand *a = pA, *b = pB;
  if (a->tier != b->tier) return a->tier < b->tier ? -1 : 1;
  int c = natural_cmp(a->zKey, b->zKey);
  if (c) return c;
  return a->id < b->id ? -1 : a->id > b->id;
}

/* 1 when id was not in the set yet (and adds it). */
static int cand_new(struct cands *pC, int64_t id) {
  size_t nSet = sizeof(pC->aSet) / sizeof(pC->aSet[0]);
  size_t h = (size_t)((uint64_t)id * 0x9E3779B97F4A7C15ull >> 40) & (nSet - 1);
  while (pC->aSet[h]) {
    if (pC->aSet[h] == id) return 0;
    h = (h + 1) & (nSet - 1);
  }
  pC->aSet[h] = id;
  return 1;
}

static void cand_add(struct cands *pC, int64_t id, int tier, const char *zKey) {
  if (tier == TIER_NONE || pC->n >= 3 * CAND_RESOLVE || !cand_new(pC, id)) return;
  if (pC->n == pC->nAlloc) {
    pC->nAlloc = pC->nAlloc ? 2 * pC->nAlloc : 64;
    pC->a = kg_xrealloc(pC->a, (size_t)pC->nAlloc * sizeof(pC->a[0]));
  }
  pC->a[pC->n++] = (struct cand){id, tier, kg_xstrdup(zKey ? zKey : "")};
}

static void cands_free(struct cands *pC) {
  for (int i = 0; i < pC->n; i++)
    free(pC->a[i].zKey);
  free(pC->a);
}

/* Appends token z to b as one term of the index's query: an FTS5 phrase
 * ("z", "z"*) or, bPg, a tsquery lexeme ('z', 'z':*) read as it is by
 * the ::tsquery cast (no parser: "19/2" stays one lexeme, as in the
 * tsvector that array_to_tsvector made of the same tokens). Tokens hold
 * letters, digits and '/' only; quotes would be doubled all the same. */
static void put_term(struct kg_buf *b, const char *z, int bPrefix, int bPg) {
  char cQuote = bPg ? '\'' : '"';
  kg_buf_append(b, &cQuote, 1);
  while (*z) {
    size_t n = strcspn(z, bPg ? "'\\" : "\"");
    kg_buf_append(b, z, n);
    z += n;
    if (*z) { /* doubled */
      kg_buf_append(b, z, 1);
      kg_buf_append(b, z++, 1);
    }
  }
  kg_buf_append(b, &cQuote, 1);
  if (bPrefix) kg_buf_puts(b, bPg ? ":*" : "*");
}

/* The index query for the tokens of pN in mask: each as a term, AND-ed;
 * with bPrefix a token of the last word typed as a prefix too (and the
 * word as written, for a street type: "пр"* besides "проспект"). FTS5's
 * MATCH syntax, or with bPg a tsquery for address_fts.tsv on PostgreSQL
 * ('a' & ('b':* | 'c':*)). NULL when no token is left. Heap, free(). */
static char *match_query(const struct norm *pN, uint32_t mask, int bPrefix, int bPg) {
  struct kg_buf b;
  int nTerm = 0;
  kg_buf_init(&b, 8192);
  for (int k = 0; k < pN->n; k++) {
    const struct tok *t = &pN->a[k];
    if (!(mask & (1u << k))) continue;
    kg_buf_puts(&b, nTerm++ ? (bPg ? " & " : " AND ") : "");
    if (bPrefix && t->bLast) {
      kg_buf_puts(&b, "(");
      put_term(&b, t->z, 1, bPg);
      if (t->zRaw && strcmp(t->zRaw, t->z) != 0) {
        kg_buf_puts(&b, bPg ? " | " : " OR ");
        put_term(&b, t->zRaw, 1, bPg);
      }
      kg_buf_puts(&b, ")");
    } else {
      put_term(&b, t->z, 0, bPg);
    }
  }
  if (kg_buf_failed(&b) || nTerm == 0) {
    kg_buf_free(&b);
    return NULL;
  }
  return kg_buf_detach(&b, NULL);
}

/* The tokens of pN (bits of a mask) that are in at most RARE_DOCS rows of
 * the index, the last typed one as a prefix, street types and settlements
 * (which a row may lack and still be found) left out: a
 * query of only these finds every candidate, and fast. FTS5 intersects
 * the terms of an AND by walking their lists of rows, so a token of most
 * rows ("казань", "улица") costs milliseconds however rare the others are.
 * One probe per token: is there a row past the first RARE_DOCS? */
static enum kg_err rare_tokens(struct kg_store *p, const struct norm *pN, uint32_t *pMask) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = KG_OK;
  *pMask = 0;
  for (int k = 0; k < pN->n && rc == KG_OK; k++) {
    if (pN->a[k].e == TK_TYPE || pN->a[k].e == TK_CITY) continue;
    char *zTerm = match_query(pN, 1u << k, 1, p->pPg != NULL);
    if (!zTerm) continue;
    if ((rc = kg_store_sql_prepare(p,
                                   p->pPg ? "SELECT id FROM address_fts WHERE tsv @@ ?1::tsquery "
                                            "LIMIT 1 OFFSET ?2"
                                          : "SELECT rowid FROM address_fts WHERE address_fts "
                                            "MATCH ?1 LIMIT 1 OFFSET ?2",
                                   &s)) == KG_OK) {
      kg_store_bind_text(s, 1, zTerm);
      kg_db_bind_int(s, 2, RARE_DOCS);
      if ((rc = kg_store_sql_row(p, s, "address token probe")) == KG_ENOTFOUND) {
        *pMask |= 1u << k;
        rc = KG_OK;
      }
      kg_store_sql_done(p, s);
    }
    free(zTerm);
  }
  return rc;
}

/* Adds the rows matching zMatch (match_query's, at most nMax) to pC,
 * ranked. *pbFull tells whether nMax were found (there may be more). The
 * first nMax by id on both engines: FTS5 gives its rows in rowid order,
 * PostgreSQL is told to. */
static enum kg_err fetch_matches(struct kg_store *p, const struct norm *pN, const char *zMatch,
                                 int nMax, struct cands *pC, int *pbFull) {
  struct kg_db_stmt *s = NULL;
  int n = 0;
  enum kg_err rc = kg_store_sql_query(p, &s,
                                      p->pPg ? "SELECT id, tokens, house, city FROM address_fts "
                                               "WHERE tsv @@ ?1::tsquery ORDER BY id LIMIT ?2"
                                             : "SELECT rowid, tokens, house, city FROM address_fts "
                                               "WHERE address_fts MATCH ?1 LIMIT ?2",
                                      "tk", zMatch, nMax);
  if (rc) return rc;
  while ((rc = kg_store_sql_row(p, s, "address match")) == KG_OK) {
    const char *zKey = kg_store_col_text(s, 1);
    n++;
    cand_add(pC, kg_db_col_i64(s, 0),
             rank(pN, zKey ? zKey : "", kg_store_col_text(s, 2), kg_store_col_text(s, 3)), zKey);
  }
  if (rc == KG_ENOTFOUND) rc = KG_OK;
  kg_store_sql_done(p, s);
  if (pbFull) *pbFull = n >= nMax;
  return rc;
}

/* Adds the rows whose key is exactly pN's (the index on address_key). */
static enum kg_err fetch_equal(struct kg_store *p, const struct norm *pN, struct cands *pC) {
  struct kg_db_stmt *s = NULL;
  char *zKey = kg_xmalloc(KEY_MAX);
  key_write(pN, zKey, KEY_MAX);
  enum kg_err rc = kg_store_sql_prepare(
      p, "SELECT id FROM address_registry WHERE address_key = ?1 ORDER BY id LIMIT 16", &s);
  if (rc == KG_OK) {
    kg_store_bind_text(s, 1, zKey);
    while ((rc = kg_store_sql_row(p, s, "address key lookup")) == KG_OK)
      cand_add(pC, kg_db_col_i64(s, 0), TIER_EQUAL, zKey);
    if (rc == KG_ENOTFOUND) rc = KG_OK;
  }
  kg_store_sql_done(p, s);
  free(zKey);
  return rc;
}

/* Fills pOut from the register row id. */
static enum kg_err hit_get(struct kg_store *p, const char *zWhere, const char *zArg, int64_t id,
                           struct kg_address_hit *pOut) {
  struct kg_db_stmt *s = NULL;
  char zSql[256];
  snprintf(zSql, sizeof(zSql),
           "SELECT id, address, district, ext_id, X(geometry), Y(geometry) "
           "FROM address_registry WHERE %s",
           zWhere);
  memset(pOut, 0, sizeof(*pOut));
  enum kg_err rc = kg_store_sql_prepare(p, zSql, &s);
  if (rc) return rc;
  if (zArg)
    kg_store_bind_text(s, 1, zArg);
  else
    kg_db_bind_i64(s, 1, id);
  if ((rc = kg_store_sql_row(p, s, "address read")) == KG_OK) {
    pOut->id = kg_db_col_i64(s, 0);
    kg_store_col_copy(s, 1, pOut->zAddress, sizeof(pOut->zAddress));
    kg_store_col_copy(s, 2, pOut->zDistrict, sizeof(pOut->zDistrict));
    kg_store_col_copy(s, 3, pOut->zExtId, sizeof(pOut->zExtId));
    pOut->lon = kg_db_col_double(s, 4);
    pOut->lat = kg_db_col_double(s, 5);
  }
  kg_store_sql_done(p, s);
  return rc;
}

/* ---- lookups ---- */

enum kg_err kg_store_address_search(struct kg_store *p, const char *zQuery, int nLimit,
                                    struct kg_address_hit *aHit, int *pnHit) {
  struct raw *aRaw = NULL;
  struct norm *pN = NULL;
  struct cands *pC = NULL;
  char *zMatch = NULL;
  int bFull = 0;
  uint32_t all = 0, untyped = 0, rare = 0;
  enum kg_err rc;
  *pnHit = 0;
  if (nLimit < 1) return KG_OK;
  if (nLimit > KG_ADDRESS_SEARCH_MAX) nLimit = KG_ADDRESS_SEARCH_MAX;
  if ((rc = kg_store_address_index(p)) != KG_OK) return rc;
  aRaw = kg_xmalloc(RAW_MAX * sizeof(*aRaw));
  pN = kg_xmalloc(sizeof(*pN));
  pC = kg_xcalloc(1, sizeof(*pC));
  normalise(zQuery ? zQuery : "", aRaw, pN);
  if (pN->n == 0) goto out;
  for (int k = 0; k < pN->n; k++) {
    if (pN->a[k].e == TK_CITY) continue; /* a row need not have it */
    all |= 1u << k;
    if (pN->a[k].e != TK_TYPE) untyped |= 1u << k;
  }
  if (!all) /* a settlement's name alone */
    for (int k = 0; k < pN->n; k++)
      all |= untyped |= 1u << k;
  if ((rc = rare_tokens(p, pN, &rare)) != KG_OK) goto out;

  if (rare) {
    /* every candidate of every tier in one query: the rare tokens */
    zMatch = match_query(pN, rare, 1, p->pPg != NULL);
    if ((rc = fetch_matches(p, pN, zMatch, RARE_DOCS + 1, pC, NULL)) != KG_OK) goto out;
  } else {
    /* only common tokens: every token as typed; then the last one as a
     * prefix; then without the street types; each stage only when the
     * ones before left room, each with a cap */
    static const struct { int bPrefix, bUntyped; } aStage[] = {{0, 0}, {1, 0}, {1, 1}};
    for (size_t i = 0; i < sizeof(aStage) / sizeof(aStage[0]) && (i == 0 || pC->n < nLimit); i++) {
      if (aStage[i].bUntyped && untyped == all) break;
      free(zMatch);
      zMatch =
          match_query(pN, aStage[i].bUntyped ? untyped : all, aStage[i].bPrefix, p->pPg != NULL);
      if (zMatch &&
          (rc = fetch_matches(p, pN, zMatch, CAND_SEARCH, pC, i ? NULL : &bFull)) != KG_OK)
        goto out;
      if (i == 0 && bFull && (rc = fetch_equal(p, pN, pC)) != KG_OK) goto out;
    }
  }
  if (pC->n > 1) qsort(pC->a, (size_t)pC->n, sizeof(pC->a[0]), cand_cmp);
  for (int i = 0; i < pC->n && *pnHit < nLimit; i++) {
    rc = hit_get(p, "id = ?1", NULL, pC->a[i].id, &aHit[*pnHit]);
    if (rc == KG_ENOTFOUND) continue;
    if (rc) goto out;
    (*pnHit)++;
  }
  rc = KG_OK;
out:
  free(zMatch);
  if (pC) cands_free(pC);
  free(pC);
  free(pN);
  free(aRaw);
  return rc;
}

enum kg_err kg_store_address_resolve(struct kg_store *p, const char *zText,
                                     struct kg_address_hit *pOut) {
  struct raw *aRaw = NULL;
  struct norm *pN = NULL;
  struct cands *pC = NULL;
  char *zMatch = NULL;
  int bFull = 0;
  int64_t idEqual = 0, idHouse = 0;
  int nEqual = 0, nHouse = 0;
  uint32_t all = 0, rare = 0;
  enum kg_err rc;
  memset(pOut, 0, sizeof(*pOut));
  if ((rc = kg_store_address_index(p)) != KG_OK) return rc;
  aRaw = kg_xmalloc(RAW_MAX * sizeof(*aRaw));
  pN = kg_xmalloc(sizeof(*pN));
  pC = kg_xcalloc(1, sizeof(*pC));
  normalise(zText ? zText : "", aRaw, pN);
  for (int k = 0; k < pN->n; k++) {
    pN->a[k].bLast = 0;                        /* given in full: no word is being typed */
    if (pN->a[k].e != TK_CITY) all |= 1u << k; /* a row need not have it */
  }
  if (!all)
    for (int k = 0; k < pN->n; k++)
      all |= 1u << k;
  if (pN->n == 0) {
    rc = KG_ENOTFOUND;
    goto out;
  }
  /* the rare tokens find every candidate; else all of them, capped */
  if ((rc = rare_tokens(p, pN, &rare)) != KG_OK) goto out;
  zMatch = match_query(pN, rare ? rare : all, 0, p->pPg != NULL);
  if ((rc = fetch_matches(p, pN, zMatch, rare ? RARE_DOCS + 1 : CAND_RESOLVE, pC, &bFull)) !=
          KG_OK ||
      (rc = fetch_equal(p, pN, pC)) != KG_OK)
    goto out;
  for (int i = 0; i < pC->n; i++) {
    if (pC->a[i].tier == TIER_EQUAL) {
      nEqual++;
      idEqual = pC->a[i].id;
    } else if (pC->a[i].tier == TIER_HOUSE) {
      nHouse++;
      idHouse = pC->a[i].id;
    }
  }
  /* one address with the same tokens; else the only one with all of them
   * and the same house (which a capped candidate list cannot tell) */
  if (nEqual == 1)
    rc = hit_get(p, "id = ?1", NULL, idEqual, pOut);
  else if (nEqual == 0 && nHouse == 1 && !bFull)
    rc = hit_get(p, "id = ?1", NULL, idHouse, pOut);
  else
    rc = KG_ENOTFOUND;
out:
  free(zMatch);
  if (pC) cands_free(pC);
  free(pC);
  free(pN);
  free(aRaw);
  return rc;
}

enum kg_err kg_store_address_by_ext_id(struct kg_store *p, const char *zExtId,
                                       struct kg_address_hit *pOut) {
  memset(pOut, 0, sizeof(*pOut));
  if (!zExtId || !*zExtId) return KG_ENOTFOUND;
  return hit_get(p, "ext_id = ?1", zExtId, 0, pOut);
}

enum kg_err kg_store_address_geocode(struct kg_store *p, const char *zAddress, double *pLon,
                                     double *pLat, char *zFound, size_t nFound) {
  struct kg_address_hit *pHit = kg_xmalloc(sizeof(*pHit));
  enum kg_err rc = kg_store_address_resolve(p, zAddress, pHit);
  if (rc == KG_OK) {
    *pLon = pHit->lon;
    *pLat = pHit->lat;
    if (zFound && nFound) snprintf(zFound, nFound, "%s", pHit->zAddress);
  }
  free(pHit);
  return rc;
}

enum kg_err kg_store_address_insert_ext(struct kg_store *p, const char *zAddress,
                                        const char *zDistrict, const char *zExtId,
                                        const char *zWkt) {
  struct kg_db_stmt *s = NULL;
  char *zKey = kg_xmalloc(KEY_MAX);
  enum kg_err rc = kg_store_sql_prepare(
      p,
      "INSERT INTO address_registry (address, district, ext_id, geometry, address_key) "
      "VALUES (?1, ?2, ?3, CastToPoint(GeomFromText(?4, 4326)), ?5)",
      &s);
  if (rc == KG_OK) {
    /* the key now, so indexing need not rewrite the row */
    kg_store_address_key(zAddress, zKey, KEY_MAX);
    kg_store_bind_text(s, 1, zAddress);
    kg_store_bind_text(s, 2, zDistrict);
    kg_store_bind_text(s, 3, zExtId && *zExtId ? zExtId : NULL);
    kg_store_bind_text(s, 4, zWkt);
    kg_store_bind_text(s, 5, zKey);
    rc = kg_store_sql_run(p, s, "address insert");
  }
  free(zKey);
  return rc;
}
