-- 0009_comments_rtree.sql (PostgreSQL translation of ../0009_comments_rtree.sql)
-- Nothing to do in PostgreSQL: the SQLite migration replaces SpatiaLite's
-- R*Tree maintenance triggers (gii_/giu_comments_location, which prepared
-- an INSERT per row) by plain SQL ones. In PG the spatial index is the GiST
-- index idx_comments_location (0001), kept by the server itself: no
-- triggers, no separate index table. The file exists so that the version
-- numbers of both backends stay the same.
SELECT 1;
