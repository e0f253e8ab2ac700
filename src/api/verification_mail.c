/* verification_mail.c: a moderator's decision on a residence or a property
 * and the e-mail that tells the person (its text:
 * kg_mail_compose_verification), queued in the outbox in the same
 * transaction as the decision. Logs name ids only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_auth.h"
#include "api_common.h"
#include "api_participants.h"
#include "kengash/mail.h"

enum kg_err kg_api_verification_decide(struct kg_req *r, struct kg_store *pStore, int64_t accountId,
                                       int64_t propertyId, int bVerified, const char *zNote,
                                       const double *aPlace) {
  const struct kg_app *pApp = kg_req_app(r);
  const struct kg_config *pCfg = kg_api_cfg(r);
  struct kg_account *pAcc = kg_xmalloc(sizeof(*pAcc));
  struct kg_property prop = {0};
  struct kg_mail_text m = {0};
  int64_t outboxId = 0, tNow = kg_time_now(), actorId = kg_api_account(r)->id;
  int bTx = 0;
  enum kg_err rc = kg_store_account_get(pStore, accountId, pAcc);
  if (rc) goto out;
  if (propertyId && (rc = kg_store_property_get(pStore, accountId, propertyId, &prop)) != KG_OK)
    goto out;
  enum kg_lang eLang = kg_lang_parse(pAcc->zLanguage);
  const char *zProvider = pApp && pApp->pOidc ? kg_api_oidc_label(pApp, eLang) : NULL;
  if (pAcc->zEmail[0] &&
      kg_mail_compose_verification(eLang, pCfg ? pCfg->zBaseUrl : NULL,
                                   propertyId ? prop.zCadastral : NULL, bVerified, zNote,
                                   zProvider && *zProvider ? zProvider : NULL, &m) != KG_OK)
    kg_log_warn("verification mail too long account=%lld", (long long)accountId);
  if ((rc = kg_store_begin(pStore)) != KG_OK) goto out;
  bTx = 1;
  rc = aPlace ? kg_store_residence_attestation_decide(pStore, accountId, bVerified, aPlace[0],
                                                      aPlace[1], zNote, actorId, tNow)
              : kg_store_verification_decide(pStore, accountId, propertyId, bVerified, zNote,
                                             actorId, tNow);
  if (rc == KG_OK && m.zBody)
    rc = kg_store_outbox_insert(pStore, pAcc->zEmail, m.zSubject, m.zBody, tNow, &outboxId);
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
  kg_mail_text_clear(&m);
  return rc;
}
