-- 0018: the language of an account (issue 20): its e-mails are written in
-- it (src/mail/templates*.c, keys of src/core/lang/<lang>/mail.txt), the
-- web pages follow it after sign-in (web/js/lang.js). Set at sign-up from
-- the `lang` cookie or Accept-Language; changed with PATCH /api/v1/me.
ALTER TABLE accounts ADD COLUMN language TEXT NOT NULL DEFAULT 'ru'
  CHECK (language IN ('ru', 'tt', 'en'));

-- The language a queued e-mail is written in, for its Content-Language
-- header; NULL (older rows, mail to an address without an account) is
-- Russian.
ALTER TABLE outbox ADD COLUMN language TEXT CHECK (language IN ('ru', 'tt', 'en'));

-- The language of an area alert subscription (the page's when it was made):
-- its e-mails are written in it; NULL (older rows) is Russian.
ALTER TABLE alert_subscriptions ADD COLUMN language TEXT CHECK (language IN ('ru', 'tt', 'en'));
