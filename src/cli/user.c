/* user.c: `kengash user add` — creates an account, or sets the role and
 * password of an existing one; the password comes from standard input so
 * that it never shows in the process list. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "kengash/auth.h"
#include "kengash/cli.h"

static const struct kg_option aUserOpt[] = {
    KG_CLI_OPT_COMMON,
    {"email", "e-mail address of the account"},
    {"role", "citizen | moderator | admin"},
    {"name", "full name (defaults to the e-mail's local part)"},
};

int kg_cli_cmd_user(int argc, char **argv) {
  if (argc < 2 || strcmp(argv[1], "add") != 0 || kg_cli_wants_help(argc, argv)) {
    kg_cli_print_help("user add --db FILE --email E --role citizen|moderator|admin [--name N] "
                      "< password",
                      "Creates an account (or sets the role and password of an existing one).\n"
                      "The password is read from the first line of standard input.",
                      aUserOpt, KG_CLI_N(aUserOpt));
    return kg_cli_wants_help(argc, argv) ? 0 : 2;
  }
  struct kg_config cfg;
  if (!kg_cli_load_config(&cfg, argc - 1, argv + 1, aUserOpt, KG_CLI_N(aUserOpt), NULL, NULL))
    return 2;
  int rc = 2;
  struct kg_store *pStore = NULL;
  char *zLine = NULL;
  size_t nLine = 0;
  char zHash[256];
  char zReason[200];
  const char *zEmail = kg_config_get(&cfg, "email");
  const char *zRole = kg_config_get(&cfg, "role");
  const char *zName = kg_config_get(&cfg, "name");
  kg_auth_init();
  if (!zEmail || !kg_auth_email_valid(zEmail)) {
    fprintf(stderr, "kengash user add: --email needs a valid e-mail address\n");
    goto out;
  }
  if (!zRole || !kg_auth_role_valid(zRole)) {
    fprintf(stderr, "kengash user add: --role must be citizen, moderator or admin\n");
    goto out;
  }
  ssize_t n = getline(&zLine, &nLine, stdin);
  if (n <= 0) {
    fprintf(stderr, "kengash user add: give the password on standard input\n");
    goto out;
  }
  while (n > 0 && (zLine[n - 1] == '\n' || zLine[n - 1] == '\r'))
    zLine[--n] = 0;
  if (!kg_auth_password_acceptable(zLine, zEmail, zReason, sizeof(zReason))) {
    fprintf(stderr, "kengash user add: password refused: %s\n", zReason);
    goto out;
  }
  rc = 1;
  if (kg_auth_password_hash(zLine, zHash, sizeof(zHash)) != KG_OK) {
    fprintf(stderr, "kengash user add: hashing failed\n");
    goto out;
  }
  if (!(pStore = kg_cli_open_db(cfg.zDb))) goto out;
  char zDefaultName[256];
  if (!zName) {
    snprintf(zDefaultName, sizeof(zDefaultName), "%.*s", (int)strcspn(zEmail, "@"), zEmail);
    zName = zDefaultName;
  }
  int64_t id = 0;
  enum kg_err err =
      kg_store_account_insert(pStore, zEmail, zHash, zName, zRole, kg_time_now(), &id);
  if (err == KG_ECONFLICT) {
    struct kg_account acc;
    char zOld[256];
    if (kg_store_account_by_email(pStore, zEmail, &acc, zOld, sizeof(zOld)) != KG_OK ||
        kg_store_account_set_role(pStore, acc.id, zRole) != KG_OK ||
        kg_store_account_set_password(pStore, acc.id, zHash) != KG_OK) {
      fprintf(stderr, "kengash user add: cannot update the existing account\n");
      goto out;
    }
    printf("kengash: account %lld updated (role %s)\n", (long long)acc.id, zRole);
  } else if (err != KG_OK) {
    fprintf(stderr, "kengash user add: cannot create the account (%s)\n", kg_err_name(err));
    goto out;
  } else {
    printf("kengash: account %lld created (role %s)\n", (long long)id, zRole);
  }
  rc = 0;
out:
  if (zLine) {
    kg_auth_memzero(zLine, nLine);
    free(zLine);
  }
  if (pStore) kg_store_close(pStore);
  kg_config_free(&cfg);
  return rc;
}
