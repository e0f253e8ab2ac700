-- 0023_pending_location.sql (PostgreSQL translation of ../0023_pending_location.sql)
-- A pending proposal's point waits in pending_location; comments.location
-- (and so its GiST index) holds it from the moderator's decision on. One
-- BEFORE trigger moves it with the status (plpgsql may change NEW; SQLite
-- needs an AFTER trigger's UPDATE). A partial GiST index serves the
-- moderators' bbox over pending proposals.
ALTER TABLE comments ADD COLUMN pending_location geometry(Geometry, 4326);
CREATE INDEX idx_comments_pending_location ON comments USING gist (pending_location)
  WHERE pending_location IS NOT NULL;

CREATE FUNCTION comments_location_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status <> 'pending' AND NEW.pending_location IS NOT NULL THEN
    NEW.location := NEW.pending_location;
    NEW.pending_location := NULL;
  ELSIF NEW.status = 'pending' AND NEW.location IS NOT NULL THEN
    NEW.pending_location := NEW.location;
    NEW.location := NULL;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER comments_location_status BEFORE UPDATE OF status ON comments
  FOR EACH ROW EXECUTE FUNCTION comments_location_status();

UPDATE comments SET pending_location = location, location = NULL
  WHERE status = 'pending' AND location IS NOT NULL;
