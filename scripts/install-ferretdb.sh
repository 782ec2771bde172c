#!/usr/bin/env bash
# Builds FerretDB 1.24.2 (the embedded, MongoDB-wire-compatible store used by tests and by `npm start` without
# MONGODB_URI) into a cache folder, once. `go install …/cmd/ferretdb@v1.24.2` alone yields a binary that panics at
# start (its build/version/version.txt is generated, not published), so the module is copied out of Go's module
# cache, given that file, and built there.
set -euo pipefail
version=v1.24.2
dest="${FERRETDB_BIN:-${XDG_CACHE_HOME:-$HOME/.cache}/inbox-gateway/ferretdb-$version/ferretdb}"
if [ -x "$dest" ] && "$dest" --version >/dev/null 2>&1; then
  echo "$dest"
  exit 0
fi
command -v go >/dev/null || { echo "install-ferretdb: Go is needed to build FerretDB (apt-get install golang-go)" >&2; exit 1; }
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
export GOFLAGS=-mod=mod GOTOOLCHAIN=local
src=$(cd "$work" && go mod download -json "github.com/FerretDB/FerretDB@$version" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
[ -n "$src" ] || { echo "install-ferretdb: could not download FerretDB $version" >&2; exit 1; }
cp -r "$src" "$work/src"
chmod -R u+w "$work/src"
echo "$version" > "$work/src/build/version/version.txt"
mkdir -p "$(dirname "$dest")"
(cd "$work/src" && CGO_ENABLED=0 go build -trimpath -o "$dest.tmp" ./cmd/ferretdb) >&2
mv "$dest.tmp" "$dest"
echo "$dest"
