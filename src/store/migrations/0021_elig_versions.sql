-- 0021: eligibility versions, for the eligibility cache (src/api/
-- elig_cache.c) and the writer's confirmation of a proposal's eligibility
-- (comment_submit.c). An account's eligibility in a discussion rests on
-- the discussion's status and territory (content version scope 0, 0007)
-- and on the account's residence, properties and attestation: every
-- insert, update and delete of those bumps the account's version here.
-- Triggers, as for the content versions, so that no write path can forget
-- it (moderators' decisions, the identity provider, the rights register's
-- import, other processes). An account without a row is at version 0.
CREATE TABLE elig_versions (
  account_id INTEGER PRIMARY KEY,
  v INTEGER NOT NULL
);

CREATE TRIGGER ev_residences_i AFTER INSERT ON residences BEGIN
  INSERT INTO elig_versions (account_id, v) VALUES (NEW.account_id, 1)
    ON CONFLICT (account_id) DO UPDATE SET v = v + 1;
END;

CREATE TRIGGER ev_residences_u AFTER UPDATE ON residences BEGIN
  INSERT INTO elig_versions (account_id, v) VALUES (NEW.account_id, 1)
    ON CONFLICT (account_id) DO UPDATE SET v = v + 1;
  INSERT INTO elig_versions (account_id, v) SELECT OLD.account_id, 1
    WHERE OLD.account_id <> NEW.account_id ON CONFLICT (account_id) DO UPDATE SET v = v + 1;
END;

CREATE TRIGGER ev_residences_d AFTER DELETE ON residences BEGIN
  INSERT INTO elig_versions (account_id, v) VALUES (OLD.account_id, 1)
    ON CONFLICT (account_id) DO UPDATE SET v = v + 1;
END;

CREATE TRIGGER ev_properties_i AFTER INSERT ON properties BEGIN
  INSERT INTO elig_versions (account_id, v) VALUES (NEW.account_id, 1)
    ON CONFLICT (account_id) DO UPDATE SET v = v + 1;
END;

CREATE TRIGGER ev_properties_u AFTER UPDATE ON properties BEGIN
  INSERT INTO elig_versions (account_id, v) VALUES (NEW.account_id, 1)
    ON CONFLICT (account_id) DO UPDATE SET v = v + 1;
  INSERT INTO elig_versions (account_id, v) SELECT OLD.account_id, 1
    WHERE OLD.account_id <> NEW.account_id ON CONFLICT (account_id) DO UPDATE SET v = v + 1;
END;

CREATE TRIGGER ev_properties_d AFTER DELETE ON properties BEGIN
  INSERT INTO elig_versions (account_id, v) VALUES (OLD.account_id, 1)
    ON CONFLICT (account_id) DO UPDATE SET v = v + 1;
END;

CREATE TRIGGER ev_residence_attestations_i AFTER INSERT ON residence_attestations BEGIN
  INSERT INTO elig_versions (account_id, v) VALUES (NEW.account_id, 1)
    ON CONFLICT (account_id) DO UPDATE SET v = v + 1;
END;

CREATE TRIGGER ev_residence_attestations_u AFTER UPDATE ON residence_attestations BEGIN
  INSERT INTO elig_versions (account_id, v) VALUES (NEW.account_id, 1)
    ON CONFLICT (account_id) DO UPDATE SET v = v + 1;
  INSERT INTO elig_versions (account_id, v) SELECT OLD.account_id, 1
    WHERE OLD.account_id <> NEW.account_id ON CONFLICT (account_id) DO UPDATE SET v = v + 1;
END;

CREATE TRIGGER ev_residence_attestations_d AFTER DELETE ON residence_attestations BEGIN
  INSERT INTO elig_versions (account_id, v) VALUES (OLD.account_id, 1)
    ON CONFLICT (account_id) DO UPDATE SET v = v + 1;
END;

-- Every proposal maintains each index of comments in the group-commit
-- writer's transaction (a random page read, changed and written to the
-- WAL per index). comments_author (author_id) is a prefix of
-- comments_author_created (author_id, created_at, 0004), which serves
-- every lookup by author: one index less to keep.
DROP INDEX IF EXISTS comments_author;
