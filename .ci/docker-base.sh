#!/usr/bin/env bash
# Makes a Docker base image from this machine's own Node, for a CI that can pull no image: a root
# filesystem with node and npm (and the shared libraries `ldd` lists for them), a shell and the few
# coreutils the Dockerfile runs, /etc basics (a `node` user, uid 1000, as in the official node images),
# and this machine's CA certificates, `docker import`ed as wa-sandbox-base:local (or the name in $1).
# It stands in for node:20-bookworm-slim: `docker build --build-arg BASE=wa-sandbox-base:local .`
#
# Then the same root plus what node-gyp needs to compile better-sqlite3 (whose prebuilt binary is on
# GitHub, out of reach here): the files of this machine's Debian packages python3, make and g++ with every
# package they depend on, Node's headers and an npmrc whose nodedir points at them (node-gyp would
# otherwise download the headers from nodejs.org), imported as wa-sandbox-build-base:local (or $2). It
# stands in for node:20-bookworm: --build-arg BUILD_BASE=wa-sandbox-build-base:local.
set -euo pipefail
image=${1:-wa-sandbox-base:local}
build_image=${2:-wa-sandbox-build-base:local}

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
# Debian's merged /usr, so that a package's /lib/... and /usr/lib/... name the same file, as on this machine.
mkdir -p "$root/usr/bin" "$root/usr/lib" "$root/usr/lib64" "$root/usr/sbin"
for dir in bin lib lib64 sbin; do ln -s "usr/$dir" "$root/$dir"; done

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

import_root() {
  tar -C "$root" -c . | docker import \
    --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
    --change 'ENV NODE_VERSION='"$(node --version | tr -d v)" \
    --change 'CMD ["node"]' \
    - "$1" >/dev/null
  echo "docker-base: $1 from node $(node --version), npm $(npm --version) ($(du -sh "$root" | cut -f1))"
}
import_root "$image"

# --- the build base: a compiler toolchain from this machine's installed Debian packages ---------------
# python3, make and g++, and the installed packages they need, transitively (of alternatives a | b, the
# first one installed).
declare -A toolchain=()
# and the programs the generated Makefiles run (printf, sed, touch...).
wanted=(python3 make g++ coreutils sed grep findutils)
while [ ${#wanted[@]} -gt 0 ]; do
  package=${wanted[0]}
  wanted=("${wanted[@]:1}")
  [ -n "${toolchain[$package]:-}" ] && continue
  toolchain[$package]=1
  IFS=',' read -ra requirements <<<"$(dpkg-query -W -f='${Pre-Depends},${Depends}' "$package")"
  for requirement in "${requirements[@]}"; do
    IFS='|' read -ra alternatives <<<"$requirement"
    for alternative in "${alternatives[@]}"; do
      name=$(sed -E 's/\(.*\)//; s/:any//; s/[[:space:]]//g' <<<"$alternative")
      if [ -n "$name" ] && [ "$(dpkg-query -W -f='${db:Status-Status}' "$name" 2>/dev/null)" = installed ]; then
        wanted+=("$name")
        break
      fi
    done
  done
done
# Their files and symlinks (directories come with --parents), without documentation.
dpkg -L "${!toolchain[@]}" | sort -u | grep -vE '^/usr/share/(doc|man|info|locale|lintian)/' | while read -r path; do
  if [ -L "$path" ] || [ -f "$path" ]; then cp -P --parents "$path" "$root" 2>/dev/null || [ -e "$root$path" ]; fi
done
# The commands Debian's alternatives name (cc and c++ for gcc and g++): links that no package lists.
for command in /usr/bin/*; do
  if [[ -L $command && $(readlink "$command") == /etc/alternatives/* && -e $root$(readlink -f "$command") ]]; then
    cp -P --parents "$command" "$(readlink "$command")" "$root"
  fi
done
# node-gyp compiles against these headers (this machine's npm has nodedir=/usr for /usr/include/node).
node_headers=$(dirname "$(readlink -f "$node_bin")")/../include/node
mkdir -p "$root/usr/local/include"
cp -a "$node_headers" "$root/usr/local/include/node"
printf 'nodedir=/usr/local\n' >>"$root/usr/local/etc/npmrc"
import_root "$build_image"
