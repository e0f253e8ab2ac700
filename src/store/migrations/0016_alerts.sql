-- 0016_alerts.sql: area alerts. Anyone (with or without an account)
-- subscribes an e-mail address to an area: a circle around an address of
-- the register or a point (stored as a polygon of 32 vertices), or a drawn
-- polygon. After the address is confirmed (double opt-in), a background
-- step reads discussion_events with its own persisted cursor and mails the
-- subscriptions whose area meets the discussion's territory: at once, or
-- kept in alert_pending for the weekly digest.

-- events: bit mask, 1 announced, 2 open (exposition), 4 concluded.
-- The address is kept only while the subscription exists: unsubscribing
-- deletes the row (and its tokens and pending items).
CREATE TABLE alert_subscriptions (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL COLLATE NOCASE,
  kind TEXT NOT NULL CHECK (kind IN ('address', 'point', 'polygon')),
  label TEXT,
  center_lon REAL,
  center_lat REAL,
  radius_m INTEGER CHECK (radius_m IS NULL OR radius_m BETWEEN 200 AND 5000),
  minx REAL NOT NULL,
  miny REAL NOT NULL,
  maxx REAL NOT NULL,
  maxy REAL NOT NULL,
  events INTEGER NOT NULL CHECK (events BETWEEN 1 AND 7),
  rhythm TEXT NOT NULL CHECK (rhythm IN ('instant', 'weekly')),
  created_at INTEGER NOT NULL,
  confirmed_at INTEGER,
  -- the last discussion event before the confirmation: alerts start after it
  confirmed_event INTEGER,
  created_ip TEXT
);
SELECT AddGeometryColumn('alert_subscriptions', 'area', 4326, 'POLYGON', 'XY', 1);
CREATE INDEX alert_subscriptions_email ON alert_subscriptions(email);
CREATE INDEX alert_subscriptions_unconfirmed ON alert_subscriptions(created_at)
  WHERE confirmed_at IS NULL;

-- The areas' spatial index (idx_alert_subscriptions_area, an R*Tree),
-- its insert trigger made plain SQL as 0009 does for comments; SpatiaLite's
-- update and delete triggers stay (an area never changes: a new area is a
-- new subscription).
SELECT CreateSpatialIndex('alert_subscriptions', 'area');
DROP TRIGGER IF EXISTS gii_alert_subscriptions_area;
CREATE TRIGGER gii_alert_subscriptions_area AFTER INSERT ON alert_subscriptions
FOR EACH ROW BEGIN
  INSERT OR REPLACE INTO idx_alert_subscriptions_area (pkid, xmin, xmax, ymin, ymax)
    VALUES (NEW.ROWID, MbrMinX(NEW.area), MbrMaxX(NEW.area),
            MbrMinY(NEW.area), MbrMaxY(NEW.area));
END;

-- Links in the e-mails: a random token per message, only its SHA-256 kept.
-- purpose confirm (the double opt-in link) or manage (manage and
-- unsubscribe links of every alert and digest).
CREATE TABLE alert_tokens (
  token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),
  subscription_id INTEGER NOT NULL REFERENCES alert_subscriptions(id) ON DELETE CASCADE,
  purpose TEXT NOT NULL CHECK (purpose IN ('confirm', 'manage')),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX alert_tokens_subscription ON alert_tokens(subscription_id);
CREATE INDEX alert_tokens_expires ON alert_tokens(expires_at);

-- Matches waiting for the weekly digest; deleted in the transaction that
-- queues the digest e-mail, so a digest run killed in the middle and run
-- again sends each digest once.
CREATE TABLE alert_pending (
  subscription_id INTEGER NOT NULL REFERENCES alert_subscriptions(id) ON DELETE CASCADE,
  event_id INTEGER NOT NULL,
  discussion_id INTEGER NOT NULL REFERENCES discussions(id) ON DELETE CASCADE,
  to_status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (subscription_id, event_id)
) WITHOUT ROWID;

-- Small persisted state of the background step: 'events_cursor' (the last
-- discussion_events id handled) and 'digest_week' (start of the last week
-- whose digest the server ran).
CREATE TABLE alert_state (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;

-- RFC 8058 one-click unsubscribe URL of a message (List-Unsubscribe and
-- List-Unsubscribe-Post headers); NULL for messages without one.
ALTER TABLE outbox ADD COLUMN list_unsubscribe TEXT;

-- Events before this migration are history: alerts start from now.
INSERT INTO alert_state (key, value)
  SELECT 'events_cursor', coalesce(max(id), 0) FROM discussion_events;
