-- mapserver_ogc_items.lua: ogc_items.lua's requests (the same 16 boxes,
-- limit=100) to MapServer's OGC API - Features (bench/mapserver/run).
OGC_ITEMS = "/mapserv/kengash/ogcapi/collections/comments/items?f=json&"
dofile((os.getenv("BENCH_LUA") or "bench/lua") .. "/ogc_items.lua")
