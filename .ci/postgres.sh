# Sourced by .ci/run: start a real PostgreSQL server for the directory store's tests (tests/store)
# and export SECTOR_MAP_TEST_POSTGRES_URL (a role that may create the per-test databases) and
# SECTOR_MAP_REQUIRE_POSTGRES=1 (so a missing server fails those tests instead of skipping them).
#
# PG_CLUSTER_MODE=private (what .ci/run sets) starts a throwaway cluster of the newest installed
# major version with initdb in PG_PRIVATE_DIR, as the postgres user, on 127.0.0.1 only.
# PG_CLUSTER_MODE=debian uses Debian's own "main" cluster instead (made with pg_createcluster if
# it does not exist, started with pg_ctlcluster). The role's password is made at run time.

ci_postgres_start() {
  if [ -n "${SECTOR_MAP_TEST_POSTGRES_URL:-}" ]; then
    echo "PostgreSQL: using the given SECTOR_MAP_TEST_POSTGRES_URL"
    export SECTOR_MAP_REQUIRE_POSTGRES=1
    return 0
  fi
  local version bindir port
  version=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1 || true)
  if [ -z "$version" ] || [ ! -x "/usr/lib/postgresql/$version/bin/postgres" ]; then
    echo "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres)" >&2
    return 1
  fi
  bindir="/usr/lib/postgresql/$version/bin"
  if [ "${PG_CLUSTER_MODE:-debian}" = "private" ]; then
    local dir="${PG_PRIVATE_DIR:?PG_PRIVATE_DIR names the folder for a private cluster}"
    port="${PG_PRIVATE_PORT:-55433}"
    mkdir -p "$dir" && chown postgres "$dir"
    [ -f "$dir/data/PG_VERSION" ] || runuser -u postgres -- "$bindir/initdb" -D "$dir/data" --auth-host=scram-sha-256 \
      --auth-local=peer -U postgres -E UTF8 >/dev/null
    runuser -u postgres -- "$bindir/pg_ctl" -D "$dir/data" status >/dev/null ||
      runuser -u postgres -- "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start
    PGHOST="$dir"
  else
    if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {found = 1} END {exit !found}'; then
      pg_createcluster "$version" main
    fi
    pg_ctlcluster "$version" main start || true # "already running" is fine; pg_isready decides
    port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')
    PGHOST=/var/run/postgresql
  fi
  local tries=0
  until "$bindir/pg_isready" -q -h "$PGHOST" -p "$port"; do
    tries=$((tries + 1))
    if [ "$tries" -ge 30 ]; then
      echo "PostgreSQL $version did not become ready on port $port" >&2
      return 1
    fi
    sleep 1
  done
  local password
  password=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
  local psql=(runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -h "$PGHOST" -p "$port" -d postgres)
  if [ "$("${psql[@]}" -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'sector_map_ci'")" = "1" ]; then
    "${psql[@]}" -c "ALTER ROLE sector_map_ci LOGIN CREATEDB PASSWORD '$password'"
  else
    "${psql[@]}" -c "CREATE ROLE sector_map_ci LOGIN CREATEDB PASSWORD '$password'"
  fi
  if [ "$("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = 'sector_map_ci'")" != "1" ]; then
    "${psql[@]}" -c "CREATE DATABASE sector_map_ci OWNER sector_map_ci"
  fi
  export SECTOR_MAP_TEST_POSTGRES_URL="postgresql://sector_map_ci:$password@127.0.0.1:$port/sector_map_ci"
  export SECTOR_MAP_REQUIRE_POSTGRES=1
  echo "PostgreSQL $version ready on 127.0.0.1:$port (role and database sector_map_ci)"
}
