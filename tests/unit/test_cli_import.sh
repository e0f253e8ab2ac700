#!/bin/sh
# test_cli_import.sh: `kengash import` end to end on small files: every layer,
# CRS transforms, and all-or-nothing refusals (missing property, bad
# geometry, duplicate key, unknown layer, not a FeatureCollection).
# Usage: tests/unit/test_cli_import.sh [path/to/kengash]   (default build/kengash)
set -u
BIN=${1:-${KENGASH_BIN:-build/kengash}}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
DB=$TMP/db.sqlite
FAIL=0

# count TABLE: rows in TABLE through the binary-independent sqlite3 CLI
count() { sqlite3 "$DB" "select count(*) from $1"; }

check() { # name expected actual
  if [ "$2" = "$3" ]; then
    echo "ok   $1"
  else
    echo "FAIL $1: expected [$2], got [$3]"
    FAIL=1
  fi
}

run() { # expected-exit-code args...
  want=$1
  shift
  "$BIN" import --db "$DB" "$@" >"$TMP/out" 2>"$TMP/err"
  echo $? >"$TMP/rc"
  [ "$(cat "$TMP/rc")" = "$want" ]
}

cat >"$TMP/addr.geojson" <<'EOF'
{"type":"FeatureCollection","features":[
{"type":"Feature","geometry":{"type":"Point","coordinates":[49.1185,55.7892]},"properties":{"address":"г. Казань, ул. Баумана, д. 19","district":"Вахитовский район"}},
{"type":"Feature","geometry":{"type":"Point","coordinates":[49.1210,55.7870]},"properties":{"address":"г. Казань, ул. Профсоюзная, д. 5"}}]}
EOF
cat >"$TMP/addr_missing.geojson" <<'EOF'
{"type":"FeatureCollection","features":[
{"type":"Feature","geometry":{"type":"Point","coordinates":[49.10,55.78]},"properties":{"address":"г. Казань, ул. Пушкина, д. 1"}},
{"type":"Feature","geometry":{"type":"Point","coordinates":[49.11,55.78]},"properties":{"district":"Вахитовский район"}}]}
EOF
cat >"$TMP/addr_polygon.geojson" <<'EOF'
{"type":"FeatureCollection","features":[
{"type":"Feature","geometry":{"type":"Point","coordinates":[49.10,55.78]},"properties":{"address":"г. Казань, ул. Пушкина, д. 2"}},
{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[49.1,55.7],[49.2,55.7],[49.2,55.8],[49.1,55.7]]]},"properties":{"address":"г. Казань, ул. Пушкина, д. 3"}}]}
EOF
cat >"$TMP/addr_bad_coord.geojson" <<'EOF'
{"type":"FeatureCollection","features":[
{"type":"Feature","geometry":{"type":"Point","coordinates":[249.10,55.78]},"properties":{"address":"г. Казань, ул. Пушкина, д. 4"}}]}
EOF
# parcels in UTM zone 39N (EPSG:32639): a 40 x 30 m rectangle near Kazan's centre
cat >"$TMP/parcels_utm.geojson" <<'EOF'
{"type":"FeatureCollection","features":[
{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[382000,6184000],[382040,6184000],[382040,6184030],[382000,6184030],[382000,6184000]]]},"properties":{"cadastral_number":"16:50:999999:1","use":"ИЖС"}},
{"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[382100,6184000],[382140,6184000],[382140,6184030],[382100,6184030],[382100,6184000]]]]},"properties":{"cadastral_number":"16:50:999999:2"}}]}
EOF
cat >"$TMP/parcels_dup.geojson" <<'EOF'
{"type":"FeatureCollection","features":[
{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[49.1,55.7],[49.101,55.7],[49.101,55.701],[49.1,55.701],[49.1,55.7]]]},"properties":{"cadastral_number":"16:50:999999:3"}},
{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[49.1,55.7],[49.101,55.7],[49.101,55.701],[49.1,55.701],[49.1,55.7]]]},"properties":{"cadastral_number":"16:50:999999:1"}}]}
EOF
cat >"$TMP/territories.geojson" <<'EOF'
{"type":"FeatureCollection","features":[
{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[49.1,55.7],[49.2,55.7],[49.2,55.8],[49.1,55.8],[49.1,55.7]]]},"properties":{"name":"Test district","name:ru":"Тестовый район","@id":"relation/1"}},
{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[49.2,55.7],[49.3,55.7],[49.3,55.8],[49.2,55.8],[49.2,55.7]]]},"properties":{"name":"Второй район","osm_id":2133462}}]}
EOF
echo '{"type":"Feature","geometry":null,"properties":{}}' >"$TMP/not_fc.geojson"

# a fresh, migrated database
"$BIN" user add --db "$DB" --email probe@example.org --role citizen >/dev/null 2>&1 <<'EOF'
long-enough-password
EOF

run 0 --layer addresses "$TMP/addr.geojson"
check "addresses_import_succeeds" "0 imported 2 features into addresses" \
  "$(cat "$TMP/rc") $(cat "$TMP/out")"
check "addresses_are_in_the_registry" 2 "$(count address_registry)"

run 1 --layer addresses "$TMP/addr_missing.geojson"
check "missing_property_fails_with_exit_1" 1 "$(cat "$TMP/rc")"
check "missing_property_names_the_feature" 1 "$(grep -c 'feature 1: properties.address' "$TMP/err")"
check "missing_property_loads_nothing" 2 "$(count address_registry)"

run 1 --layer addresses "$TMP/addr_polygon.geojson"
check "polygon_in_addresses_is_refused" "1 1" "$(cat "$TMP/rc") $(grep -c 'feature 1: geometry' "$TMP/err")"
check "polygon_in_addresses_loads_nothing" 2 "$(count address_registry)"

run 1 --layer addresses "$TMP/addr_bad_coord.geojson"
check "longitude_out_of_range_is_refused" "1 1" "$(cat "$TMP/rc") $(grep -c 'feature 0: geometry' "$TMP/err")"

run 1 --layer addresses "$TMP/addr.geojson"
check "duplicate_address_is_refused" "1 1" "$(cat "$TMP/rc") $(grep -c 'already' "$TMP/err")"
check "duplicate_address_loads_nothing" 2 "$(count address_registry)"

run 2 --layer buildings "$TMP/addr.geojson"
check "unknown_layer_exits_2" 2 "$(cat "$TMP/rc")"

run 1 --layer addresses "$TMP/not_fc.geojson"
check "not_a_feature_collection_exits_1" 1 "$(cat "$TMP/rc")"

run 1 --layer addresses "$TMP/nonexistent.geojson"
check "missing_file_exits_1" 1 "$(cat "$TMP/rc")"

run 0 --layer parcels --crs EPSG:32639 "$TMP/parcels_utm.geojson"
check "parcels_from_utm_import" "0 imported 2 features into parcels" \
  "$(cat "$TMP/rc") $(cat "$TMP/out")"
# UTM 39N (382000, 6184000) is about 49.1 E, 55.8 N
check "parcels_are_transformed_to_lonlat" 1 "$(sqlite3 "$DB" "select load_extension('mod_spatialite'); \
  select count(*) from parcels where cadastral_number = '16:50:999999:1' and \
  MbrMinX(geometry) between 49.0 and 49.2 and MbrMinY(geometry) between 55.7 and 55.9 and \
  GeometryType(geometry) = 'MULTIPOLYGON'" | tail -1)"

run 1 --layer parcels "$TMP/parcels_dup.geojson"
check "duplicate_cadastral_number_is_refused" "1 1" \
  "$(cat "$TMP/rc") $(grep -c 'feature 1: properties.cadastral_number: already' "$TMP/err")"
check "duplicate_cadastral_number_loads_nothing" 2 "$(count parcels)"

run 1 --layer parcels --crs EPSG:999999 "$TMP/parcels_utm.geojson"
check "unknown_crs_is_refused" 1 "$(cat "$TMP/rc")"

run 0 --layer territories "$TMP/territories.geojson"
check "territories_import" "0 imported 2 features into territories" \
  "$(cat "$TMP/rc") $(cat "$TMP/out")"
check "territory_prefers_name_ru_and_keeps_osm_id" "Тестовый район|relation/1 Второй район|2133462" \
  "$(sqlite3 "$DB" "select name || '|' || osm_id from districts order by id" | tr '\n' ' ' | sed 's/ $//')"

exit $FAIL
