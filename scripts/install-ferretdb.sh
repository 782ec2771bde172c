#!/usr/bin/env bash
# Builds FerretDB 1.24.2 with the gateway's patch (the embedded, MongoDB-wire-compatible store used by tests and by
# `npm start` without MONGODB_URI) into a cache folder, once, and prints the binary's path.
#
# The patches (scripts/ferretdb/*.patch, applied in name order to the module's source) make single-document writes
# atomic and let SQLite's indexes serve queries (atomic-writes-and-indexes), and cut the CPU each command costs
# without changing what it answers (the others); scripts/ferretdb/modernc-sqlite/*.patch do the same to the SQLite
# driver it is built with (modernc.org/sqlite, its statements kept prepared between calls), which the build then
# takes from its patched copy (a go.mod replace). Their hash is part of the version (`ferretdb --version` says
# v1.24.2-inbox-<hash>) and of the cache path, so a binary built without them, or with older patches, is never
# taken for it. `go install …/cmd/ferretdb@v1.24.2` alone would yield a binary that panics at start (its
# build/version/version.txt is generated, not published), so the module is copied out of Go's module cache,
# given that file, patched and built there.
#
#   scripts/install-ferretdb.sh           build unless the cached binary is this version; print its path
#   scripts/install-ferretdb.sh --test    also run FerretDB's own Go tests of the packages the patch touches
#   scripts/install-ferretdb.sh --version print the version the patch gives, and nothing else
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
upstream=v1.24.2
patches=("$here"/ferretdb/*.patch)
sqlite_patches=("$here"/ferretdb/modernc-sqlite/*.patch)
hash=$(cat "${patches[@]}" "${sqlite_patches[@]}" | sha256sum | cut -c1-8)
version="$upstream-inbox-$hash"
[ "${1:-}" = --version ] && { echo "$version"; exit 0; }
run_tests=false
[ "${1:-}" = --test ] && run_tests=true

dest="${FERRETDB_BIN:-${XDG_CACHE_HOME:-$HOME/.cache}/inbox-gateway/ferretdb-$version/ferretdb}"
built=false
if [ -x "$dest" ] && [ "$("$dest" --version 2>/dev/null | head -1)" = "version: $version" ]; then
  built=true
  $run_tests || { echo "$dest"; exit 0; }
fi

command -v go >/dev/null || { echo "install-ferretdb: Go is needed to build FerretDB (apt-get install golang-go)" >&2; exit 1; }
command -v patch >/dev/null || { echo "install-ferretdb: patch is needed (apt-get install patch)" >&2; exit 1; }
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
export GOFLAGS="-mod=mod -buildvcs=false" GOTOOLCHAIN=local
# patched_copy MODULE VERSION DIR PATCH…: the module's source out of Go's module cache into DIR, with the patches.
patched_copy() {
  local module=$1 at=$2 dir=$3
  shift 3
  local from
  from=$(cd "$work" && go mod download -json "$module@$at" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
  [ -n "$from" ] || { echo "install-ferretdb: could not download $module $at" >&2; exit 1; }
  cp -r "$from" "$dir"
  chmod -R u+w "$dir"
  for p in "$@"; do
    patch --quiet --batch --forward -p1 -d "$dir" <"$p" >&2 || { echo "install-ferretdb: $p does not apply to $module $at" >&2; exit 1; }
  done
}

patched_copy github.com/FerretDB/FerretDB "$upstream" "$work/src" "${patches[@]}"
echo "$version" >"$work/src/build/version/version.txt"

# The SQLite driver, at the version FerretDB's go.mod names, patched beside it and put in its place.
sqlite_version=$(sed -n 's/^\s*modernc.org\/sqlite \(v[^ ]*\)$/\1/p' "$work/src/go.mod")
patched_copy modernc.org/sqlite "$sqlite_version" "$work/sqlite" "${sqlite_patches[@]}"
(cd "$work/src" && go mod edit -replace "modernc.org/sqlite=$work/sqlite")

if $run_tests; then
  echo "install-ferretdb: go test of the patched packages" >&2
  # only the SQLite backend and the handler: the backends' shared tests need PostgreSQL, MySQL and HANA servers.
  # FerretDB's test helpers find their files from the repository's root, which they know by its .git folder.
  # Built as a debug build, as upstream tests: it also checks every resource tracked, keeps them in pprof profiles and
  # names the creator's stack when a cursor, iterator or row set is left open (the release build only panics).
  mkdir -p "$work/src/.git"
  (cd "$work/src" && go test -count=1 -tags=ferretdb_debug ./internal/backends/sqlite/... ./internal/handler/... \
    >"$work/go-test.log" 2>&1) || {
    grep -v 'logging.go' "$work/go-test.log" | tail -60 >&2
    echo "install-ferretdb: FerretDB's Go tests failed on the patched tree" >&2
    exit 1
  }
  grep -E '^(ok|FAIL|---)' "$work/go-test.log" >&2
fi

if ! $built; then
  mkdir -p "$(dirname "$dest")"
  (cd "$work/src" && CGO_ENABLED=0 go build -trimpath -o "$dest.tmp" ./cmd/ferretdb) >&2
  mv "$dest.tmp" "$dest"
  if [ -z "${FERRETDB_BIN:-}" ]; then
    # builds of other patches are never started again
    find "$(dirname "$(dirname "$dest")")" -maxdepth 1 -name 'ferretdb-v*' ! -name "ferretdb-$version" -exec rm -rf {} + 2>/dev/null || true
  fi
fi
echo "$dest"
