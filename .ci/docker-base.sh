#!/usr/bin/env bash
# Makes a Docker base image from this machine's own Node, for a CI that can pull no image: a root
# filesystem with node and npm (and the shared libraries `ldd` lists for them), a shell and the few
# coreutils the Dockerfile runs, /etc basics (a `node` user, uid 1000, as in the official node images),
# and this machine's CA certificates, `docker import`ed as wa-sandbox-base:local (or the name in $1).
# It stands in for node:20-bookworm-slim: `docker build --build-arg BASE=wa-sandbox-base:local .`
set -euo pipefail
image=${1:-wa-sandbox-base:local}

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

# A program and every shared library it loads, each at the path the loader looks for it.
add_program() {
  local program
  program=$(readlink -f "$1")
  install -D -m 0755 "$program" "$root$2"
  ldd "$program" | grep -o '/[^ ]*' | while read -r library; do
    [ -e "$root$library" ] || cp --parents -L "$library" "$root"
  done
}

node_bin=$(command -v node)
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
add_program "$node_bin" /usr/local/bin/node
mkdir -p "$root/usr/local/lib/node_modules"
cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"

add_program /bin/sh /bin/sh
for tool in cat chown cp id ln ls mkdir mv rm; do add_program "$(command -v "$tool")" "/bin/$tool"; done
# Where npm's `#!/usr/bin/env node` looks for it.
add_program "$(command -v env)" /usr/bin/env

mkdir -p "$root/etc/ssl/certs" "$root/home/node" "$root/root" "$root/tmp"
chmod 1777 "$root/tmp"
chown 1000:1000 "$root/home/node"
cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
cp /etc/os-release "$root/etc/os-release"
printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nnode:x:1000:\n' >"$root/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
# npm's settings from this machine that matter inside: the CA file (Node's own store lacks any CA added here).
mkdir -p "$root/usr/local/etc"
printf 'cafile=/etc/ssl/certs/ca-certificates.crt\nfund=false\naudit=false\nupdate-notifier=false\n' >"$root/usr/local/etc/npmrc"

tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  --change 'ENV NODE_VERSION='"$(node --version | tr -d v)" \
  --change 'CMD ["node"]' \
  - "$image" >/dev/null
echo "docker-base: $image from node $(node --version), npm $(npm --version) ($(du -sh "$root" | cut -f1))"
