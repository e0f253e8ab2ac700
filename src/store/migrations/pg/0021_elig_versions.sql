-- 0021_elig_versions.sql (PostgreSQL translation of ../0021_elig_versions.sql)
-- Differs: the nine SQLite triggers -> one plpgsql function for the three
-- tables (all keyed by account_id) and nine row-level AFTER triggers with
-- the same names and events; same upserts.
-- Eligibility versions for the eligibility cache: every insert, update and
-- delete of residences, properties and residence_attestations bumps the
-- account's version. An account without a row is at version 0.
CREATE TABLE elig_versions (
  account_id bigint PRIMARY KEY,
  v bigint NOT NULL
);

CREATE FUNCTION ev_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO elig_versions AS ev (account_id, v) VALUES (OLD.account_id, 1)
      ON CONFLICT (account_id) DO UPDATE SET v = ev.v + 1;
    RETURN NULL;
  END IF;
  INSERT INTO elig_versions AS ev (account_id, v) VALUES (NEW.account_id, 1)
    ON CONFLICT (account_id) DO UPDATE SET v = ev.v + 1;
  IF TG_OP = 'UPDATE' AND OLD.account_id <> NEW.account_id THEN
    INSERT INTO elig_versions AS ev (account_id, v) VALUES (OLD.account_id, 1)
      ON CONFLICT (account_id) DO UPDATE SET v = ev.v + 1;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER ev_residences_i AFTER INSERT ON residences FOR EACH ROW EXECUTE FUNCTION ev_bump();
CREATE TRIGGER ev_residences_u AFTER UPDATE ON residences FOR EACH ROW EXECUTE FUNCTION ev_bump();
CREATE TRIGGER ev_residences_d AFTER DELETE ON residences FOR EACH ROW EXECUTE FUNCTION ev_bump();
CREATE TRIGGER ev_properties_i AFTER INSERT ON properties FOR EACH ROW EXECUTE FUNCTION ev_bump();
CREATE TRIGGER ev_properties_u AFTER UPDATE ON properties FOR EACH ROW EXECUTE FUNCTION ev_bump();
CREATE TRIGGER ev_properties_d AFTER DELETE ON properties FOR EACH ROW EXECUTE FUNCTION ev_bump();
CREATE TRIGGER ev_residence_attestations_i AFTER INSERT ON residence_attestations
  FOR EACH ROW EXECUTE FUNCTION ev_bump();
CREATE TRIGGER ev_residence_attestations_u AFTER UPDATE ON residence_attestations
  FOR EACH ROW EXECUTE FUNCTION ev_bump();
CREATE TRIGGER ev_residence_attestations_d AFTER DELETE ON residence_attestations
  FOR EACH ROW EXECUTE FUNCTION ev_bump();

-- comments_author is a prefix of comments_author_created (0004): one index
-- less to keep per proposal.
DROP INDEX IF EXISTS comments_author;
