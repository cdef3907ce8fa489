#!/usr/bin/env bash
# Packaging as users meet it (issue 17), run by .ci/run before `npm test`:
#  1. the npm tarball installed in an empty folder as npm 12 does (no install scripts), the sandbox's
#     one-line refusal, the fix it names, then npx wa-sandbox on its SQLite store: a provider route,
#     /docs, the conformance bin with --junit, and the typed entry points;
#  2. Docker: dockerd started, the image built from the Dockerfile on bases made from this machine's Node
#     and Debian packages (no registry image can be pulled; better-sqlite3 is compiled in the build),
#     left as wa-sandbox:local for `npm test`'s container test.
# Needs dist/ compiled (npm ci did) and the npm registry (the tarball's dependencies, the image's npm ci).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
step_started=$SECONDS
step() { echo "packaging: $1 ($((SECONDS - step_started)) s)"; step_started=$SECONDS; }

work=$(mktemp -d)
sandbox=
cleanup() {
  if [ -n "$sandbox" ]; then kill -- -"$sandbox" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# --- 1. npm pack, npm install <tgz> in an empty folder, npx wa-sandbox -------------------------------
tarball=$work/$(npm pack --silent --pack-destination "$work")
step "npm pack: $(basename "$tarball"), $(du -k "$tarball" | cut -f1) kB, $(tar -tzf "$tarball" | wc -l) files"
if tar -tzf "$tarball" | grep -E '\.spec\.|^package/(test|bench|scripts|\.ci)/|\.map$'; then echo "packaging: the tarball holds files it must not"; exit 1; fi

mkdir "$work/app"
cd "$work/app"
# As npm 12 installs it (npm 11.16+ still runs a dependency's install script, with a warning; npm 12 skips
# it until the project allows it): without better-sqlite3's compiled module, the default SQLite store
# cannot open, and the sandbox says so in one line with the fix.
npm install --no-audit --no-fund --loglevel=error --ignore-scripts "$tarball"
# A tarball install runs no `prepare`: the package ships dist/ and not the script that would compile it.
test ! -e node_modules/wa-sandbox/scripts
step "npm install of the tarball in an empty folder, install scripts skipped"
if npx wa-sandbox --port 4620 >"$work/refused.log" 2>&1; then cat "$work/refused.log"; echo "packaging: started without better-sqlite3's module"; exit 1; fi
grep 'npm install-scripts approve better-sqlite3 && npm rebuild better-sqlite3' "$work/refused.log"
# The fix README, Use in CI, gives: allow its script (allowScripts in package.json), then run it. No
# prebuilt binary can be fetched from GitHub here, so it compiles (nodedir: this machine's Node headers).
# (--strict-allow-scripts, npm 12's refusal made an error, would also stop at @scarf/scarf's telemetry
# postinstall, which npm 12 skips without a word and the sandbox does not need.)
npm install-scripts approve better-sqlite3 --loglevel=error
npm rebuild better-sqlite3 --loglevel=error
node -e 'const allowed = require("./package.json").allowScripts ?? {}; process.exit(Object.keys(allowed).some((entry) => entry.startsWith("better-sqlite3")) ? 0 : 1)'
step "better-sqlite3 approved and built"

port=4620
origin="http://127.0.0.1:$port"
log=$work/sandbox.log
setsid npx wa-sandbox --port "$port" --clock manual >"$log" 2>&1 &
sandbox=$!
# Status and content type of a request, or the failure; exits 1 when the status is not `want`.
expect_status() {
  node -e '
    const [want, url, method = "GET", body] = process.argv.slice(1);
    const init = { method, redirect: "manual" };
    if (body) { init.body = new FormData(); for (const [k, v] of new URLSearchParams(body)) init.body.set(k, v); }
    fetch(url, init).then(async (res) => {
      const text = await res.text();
      console.log(`${method} ${url} -> ${res.status} ${res.headers.get("content-type")} ${text.replace(/\s+/g, " ").slice(0, 100)}`);
      process.exit(String(res.status) === want ? 0 : 1);
    }, (error) => { console.log(`${method} ${url} -> ${error.cause?.code ?? error.message}`); process.exit(1); });
  ' "$@"
}
for attempt in $(seq 1 300); do
  expect_status 200 "$origin/__sandbox/health" >/dev/null && break
  if [ "$attempt" = 300 ] || ! kill -0 "$sandbox" 2>/dev/null; then cat "$log"; echo "packaging: npx wa-sandbox did not start"; exit 1; fi
  sleep 0.2
done
step "npx wa-sandbox answered its health check"
grep -q "store: SQLite $work/app/.wa-sandbox/sandbox.db" "$log"
expect_status 200 "$origin/wamessenger/sendMessage/ci-key" POST 'phonenumber=989121234567&text=hello'
expect_status 200 "$origin/wamessenger/getStatus/ci-key?id=80000000"
expect_status 200 "$origin/docs"
expect_status 200 "$origin/docs/swagger-ui-bundle.js" >/dev/null
# The dashboard the package ships (dist/dashboard): its page, and the script the page names.
expect_status 200 "$origin/" >/dev/null
script=$(node -e 'fetch(process.argv[1]).then((r) => r.text()).then((page) => console.log(page.match(/\/__dashboard\/[^"]+\.js/)[0]))' "$origin/")
expect_status 200 "$origin$script" >/dev/null
npx wa-sandbox-conformance --provider wamessenger --base-url "$origin/wamessenger" --junit "$work/junit.xml" | tail -1
grep -q '<testsuite name="conformance wamessenger"' "$work/junit.xml"
node --input-type=module -e '
  const testing = await import("wa-sandbox/testing");
  const conformance = await import("wa-sandbox/conformance");
  if (typeof testing.startSandbox !== "function" || typeof conformance.formatJUnit !== "function") process.exit(1);
'
test -f node_modules/wa-sandbox/dist/apps/sandbox/src/testing/index.d.ts
kill -- -"$sandbox"
sandbox=
test -s .wa-sandbox/sandbox.db
step "the installed package: a provider route, /docs, the conformance bin's JUnit file, its entry points, the SQLite store"
cd "$repo"

# --- 2. Docker: dockerd, a base from this machine's Node, the image ----------------------------------
if ! command -v dockerd >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi
if ! docker info >/dev/null 2>&1; then
  setsid dockerd >/tmp/wa-sandbox-dockerd.log 2>&1 < /dev/null &
  for attempt in $(seq 1 150); do
    docker info >/dev/null 2>&1 && break
    if [ "$attempt" = 150 ]; then tail -20 /tmp/wa-sandbox-dockerd.log; echo "packaging: dockerd did not start"; exit 1; fi
    sleep 0.2
  done
fi
step "dockerd ready"
bash .ci/docker-base.sh wa-sandbox-base:local wa-sandbox-build-base:local
step "docker bases"
# The classic builder: Debian's docker.io comes without buildx, and this Dockerfile needs nothing newer.
DOCKER_BUILDKIT=0 docker build --quiet --build-arg BUILD_BASE=wa-sandbox-build-base:local --build-arg BASE=wa-sandbox-base:local -t wa-sandbox:local .
step "docker build"
