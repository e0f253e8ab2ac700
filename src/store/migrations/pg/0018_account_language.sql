-- 0018_account_language.sql (PostgreSQL translation of ../0018_account_language.sql)
-- Differs: nothing but the types. The language of an account, of a queued
-- e-mail (NULL: Russian) and of an area alert subscription (NULL: Russian).
ALTER TABLE accounts ADD COLUMN language text NOT NULL DEFAULT 'ru'
  CHECK (language IN ('ru', 'tt', 'en'));
ALTER TABLE outbox ADD COLUMN language text CHECK (language IN ('ru', 'tt', 'en'));
ALTER TABLE alert_subscriptions ADD COLUMN language text CHECK (language IN ('ru', 'tt', 'en'));
