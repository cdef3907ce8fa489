# Sourced by .ci/run before `npm test`: a throwaway PostgreSQL for the shared-store tests (issue 18), started
# as a plain process (initdb with trust auth, then `postgres -D … -k … -p …`: about 2 s), and its URL
# exported as WA_SANDBOX_TEST_POSTGRES. Under CI the PostgreSQL tests fail without that variable.
# Usage outside CI: `source .ci/postgres.sh` (stops the server when the shell exits).

pg_port=${WA_SANDBOX_PG_PORT:-5499}
pg_bin=$(dirname "$(command -v initdb 2>/dev/null || ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)")
if [ ! -x "$pg_bin/initdb" ]; then
  echo "installing PostgreSQL from Debian's packages"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
pg_dir=$(mktemp -d /tmp/wa-sandbox-pg.XXXXXX)
# initdb refuses to run as root: as root, the server runs as a plain user made for it.
pg_as=()
if [ "$(id -u)" = 0 ]; then
  id wa-sandbox-pg >/dev/null 2>&1 || useradd --system --no-create-home wa-sandbox-pg
  chown wa-sandbox-pg "$pg_dir"
  pg_as=(setpriv --reuid=wa-sandbox-pg --regid="$(id -g wa-sandbox-pg)" --clear-groups)
fi
"${pg_as[@]}" "$pg_bin/initdb" -A trust -U postgres -D "$pg_dir/data" >"$pg_dir/initdb.log" || { cat "$pg_dir/initdb.log"; exit 1; }
# fsync off: the data is thrown away after the run, and the tests measure the sandbox, not the disk.
setsid "${pg_as[@]}" "$pg_bin/postgres" -D "$pg_dir/data" -k "$pg_dir" -p "$pg_port" -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 \
  >"$pg_dir/postgres.log" 2>&1 &
pg_pid=$!
trap 'kill "$pg_pid" 2>/dev/null || true' EXIT
for attempt in $(seq 1 100); do
  # Not pg_isready: some installs (a source build) lack it; the server says when it accepts connections.
  grep -q 'ready to accept connections' "$pg_dir/postgres.log" && break
  if [ "$attempt" = 100 ] || ! kill -0 "$pg_pid" 2>/dev/null; then cat "$pg_dir/postgres.log"; echo "PostgreSQL did not start"; exit 1; fi
  sleep 0.1
done
export WA_SANDBOX_TEST_POSTGRES="postgres://postgres@127.0.0.1:$pg_port/postgres"
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on $WA_SANDBOX_TEST_POSTGRES"
