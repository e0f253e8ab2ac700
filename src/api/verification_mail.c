/* verification_mail.c: a moderator's decision on a residence or a property
 * and the e-mail that tells the person, queued in the outbox in the same
 * transaction as the decision: verified, or refused with the moderator's
 * reason and what to do next (correct the address, take part as a right
 * holder, sign in through the state identity provider when the site has
 * one, ask support). Every link points at a page of the site: base-url +
 * /residence.html, /properties.html, /login.html or /support.html. Logs
 * name ids only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_auth.h"
#include "api_common.h"
#include "api_participants.h"
#include "kengash/mail.h"

/* Longest mail text (the note is at most 1000 characters). */
#define MAX_TEXT_BYTES (32 * 1024)

/* What to do after a refusal; every %s is the base URL. Links end their
 * lines, so no mail program takes punctuation for a part of them. */
static const char zNextSteps[] =
    "Что можно сделать:\n"
    "— исправить адрес места жительства, и модератор проверит его снова: %s/residence.html\n"
    "— участвовать как правообладатель, если у вас есть земельный участок, здание или помещение "
    "на территории обсуждения: укажите его кадастровый номер на странице %s/properties.html\n";
/* The step through the state identity provider, when the site has one:
 * the sign-in button's text, then the base URL. */
static const char zProviderStep[] =
    "— войти через государственную учётную запись (кнопка «%s» на странице входа), и адрес "
    "регистрации и права на недвижимость, известные государству, подтвердятся без модератора: "
    "%s/login.html\n";

/* The mail about a decision on a residence (zCadastral NULL) or on the
 * property zCadastral: subject into *pzSubject, text returned (both heap,
 * free()); NULL (and no subject) if the text does not fit. zBase has no
 * trailing slash; zNote may be NULL; zProvider is the state identity
 * provider's sign-in button text, NULL when the site has none. */
static char *compose(const char *zBase, const char *zCadastral, int bVerified, const char *zNote,
                     const char *zProvider, char **pzSubject) {
  struct kg_buf b;
  kg_buf_init(&b, MAX_TEXT_BYTES);
  kg_buf_puts(&b, "Здравствуйте!\n\n");
  if (bVerified && !zCadastral)
    kg_buf_puts(&b, "Модератор портала общественных обсуждений подтвердил ваш адрес места "
                    "жительства. Теперь вы можете подавать предложения и замечания в "
                    "обсуждениях проектов, в границы которых входит этот адрес.\n");
  else if (bVerified)
    kg_buf_printf(&b,
                  "Модератор портала общественных обсуждений подтвердил ваше право на объект "
                  "недвижимости с кадастровым номером %s. Теперь вы можете участвовать как "
                  "правообладатель в обсуждениях проектов, территория которых включает этот "
                  "объект.\n",
                  zCadastral);
  else if (!zCadastral)
    kg_buf_puts(&b, "Модератор портала общественных обсуждений не подтвердил ваш адрес места "
                    "жительства, поэтому пока вы не можете участвовать в обсуждениях как "
                    "житель.\n");
  else
    kg_buf_printf(&b,
                  "Модератор портала общественных обсуждений не подтвердил ваше право на объект "
                  "недвижимости с кадастровым номером %s, поэтому пока вы не можете участвовать "
                  "как его правообладатель.\n",
                  zCadastral);
  if (zNote && *zNote)
    kg_buf_printf(&b, "\n%s: %s\n", bVerified ? "Комментарий модератора" : "Причина", zNote);
  kg_buf_puts(&b, "\n");
  if (!bVerified) kg_buf_printf(&b, zNextSteps, zBase, zBase);
  if (!bVerified && zProvider) kg_buf_printf(&b, zProviderStep, zProvider, zBase);
  kg_buf_printf(&b, "%sВаш адрес и его состояние: %s/residence.html\n", bVerified ? "" : "\n",
                zBase);
  kg_buf_printf(&b, "Ваша недвижимость и её состояние: %s/properties.html\n", zBase);
  kg_buf_printf(&b,
                "\nЭто письмо отправлено автоматически, отвечать на него не нужно. Вопрос можно "
                "задать в технической поддержке: %s/support.html\n",
                zBase);
  if (kg_buf_failed(&b)) return NULL;
  if (!zCadastral)
    *pzSubject = kg_xstrdup(bVerified ? "Ваш адрес места жительства подтверждён"
                                      : "Ваш адрес места жительства не подтверждён");
  else
    *pzSubject = kg_xasprintf(bVerified ? "Ваш объект недвижимости %s подтверждён"
                                        : "Ваш объект недвижимости %s не подтверждён",
                              zCadastral);
  return kg_buf_detach(&b, NULL);
}

enum kg_err kg_api_verification_decide(struct kg_req *r, struct kg_store *pStore, int64_t accountId,
                                       int64_t propertyId, int bVerified, const char *zNote,
                                       const double *aPlace) {
  const struct kg_app *pApp = kg_req_app(r);
  const struct kg_config *pCfg = kg_api_cfg(r);
  const char *zProvider = pApp && pApp->pOidc ? pApp->zOidcLabel : NULL;
  const char *zBaseCfg = pCfg && pCfg->zBaseUrl ? pCfg->zBaseUrl : "";
  size_t nBase = strlen(zBaseCfg);
  while (nBase && zBaseCfg[nBase - 1] == '/')
    nBase--;
  char *zBase = kg_xstrndup(zBaseCfg, nBase);
  struct kg_account *pAcc = kg_xmalloc(sizeof(*pAcc));
  struct kg_property prop = {0};
  char *zSubject = NULL, *zText = NULL;
  int64_t outboxId = 0, tNow = kg_time_now(), actorId = kg_api_account(r)->id;
  int bTx = 0;
  enum kg_err rc = kg_store_account_get(pStore, accountId, pAcc);
  if (rc) goto out;
  if (propertyId && (rc = kg_store_property_get(pStore, accountId, propertyId, &prop)) != KG_OK)
    goto out;
  if (pAcc->zEmail[0]) {
    zText = compose(zBase, propertyId ? prop.zCadastral : NULL, bVerified, zNote,
                    zProvider && *zProvider ? zProvider : NULL, &zSubject);
    if (!zText) kg_log_warn("verification mail too long account=%lld", (long long)accountId);
  }
  if ((rc = kg_store_begin(pStore)) != KG_OK) goto out;
  bTx = 1;
  rc = aPlace ? kg_store_residence_attestation_decide(pStore, accountId, bVerified, aPlace[0],
                                                      aPlace[1], zNote, actorId, tNow)
              : kg_store_verification_decide(pStore, accountId, propertyId, bVerified, zNote,
                                             actorId, tNow);
  if (rc == KG_OK && zText)
    rc = kg_store_outbox_insert(pStore, pAcc->zEmail, zSubject, zText, tNow, &outboxId);
  if (rc == KG_OK) rc = kg_store_commit(pStore);
  if (rc == KG_OK) bTx = 0;
out:
  if (bTx) kg_store_rollback(pStore);
  if (rc == KG_OK && outboxId) {
    kg_log_info("verification mail queued account=%lld outbox=%lld", (long long)accountId,
                (long long)outboxId);
    kg_mail_wake();
  }
  kg_property_clear(&prop);
  free(pAcc);
  free(zSubject);
  free(zText);
  free(zBase);
  return rc;
}
