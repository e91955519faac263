#!/bin/sh
# install-peers.sh DIR: puts the tools svman is measured against into DIR, without
# installing anything on the machine: Debian's packages are downloaded and unpacked
# there (dpkg -x, so no service is started and init is never touched), the Go tools
# are built there at pinned versions. A peer that cannot be had is reported and
# left out; the harness then reports it as skipped. DIR/versions records what is
# there, one "name version" per line.
set -u
dir=${1:-bench/.peers}
mkdir -p "$dir/deb" "$dir/bin"
dir=$(cd "$dir" && pwd)
versions="$dir/versions"
touch "$versions"

record() { # name version
	grep -v "^$1 " "$versions" >"$versions.new" || true
	echo "$1 $2" >>"$versions.new"
	mv "$versions.new" "$versions"
}

# Debian packages, with the libraries they need beyond libc.
deb() { # package program
	if [ -x "$dir/$2" ] && grep -q "^$1 " "$versions"; then
		return 0
	fi
	libs=$(apt-cache depends "$1" 2>/dev/null | sed -n 's/^ *Depends: \(lib[^ <>]*\)$/\1/p' | grep -v '^libc6$')
	want="$1 $libs"
	case $1 in s6) want="$want execline $(apt-cache depends execline 2>/dev/null | sed -n 's/^ *Depends: \(lib[^ <>]*\)$/\1/p' | grep -v '^libc6$')" ;; esac
	(cd "$dir/deb" && apt-get download $want >/dev/null 2>&1) ||
		{ [ "$(id -u)" = 0 ] && apt-get update -qq >/dev/null 2>&1 && (cd "$dir/deb" && apt-get download $want >/dev/null 2>&1); } ||
		{ echo "install-peers: $1: apt-get download failed; it will be reported as skipped" >&2; return 0; }
	for p in $want; do
		for f in "$dir/deb/${p}_"*.deb; do
			[ -f "$f" ] && dpkg -x "$f" "$dir"
		done
	done
	v=$(dpkg-deb -f "$(ls "$dir/deb/${1}_"*.deb | head -1)" Version)
	record "$1" "$v (Debian package)"
	echo "install-peers: $1 $v" >&2
}

deb daemontools usr/bin/svscan
deb runit usr/bin/runsvdir
deb s6 usr/bin/s6-svscan
deb supervisor usr/bin/supervisord

# Go tools, at pinned versions. Not `go install mod@version`: here the module
# proxy refuses the version lists that go install reads for deprecation notices,
# so the module is fetched with `go mod download` and built in place.
gobuild() { # name module version package
	if [ -x "$dir/bin/$1" ] && grep -q "^$1 $3" "$versions"; then
		return 0
	fi
	src=$(go mod download -json "$2@$3" 2>/dev/null | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	if [ -z "$src" ]; then
		echo "install-peers: $1: go mod download $2@$3 failed; it will be reported as skipped" >&2
		return 0
	fi
	if ! (cd "$src" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -o "$dir/bin/$1" "$4"); then
		echo "install-peers: $1: build failed; it will be reported as skipped" >&2
		return 0
	fi
	record "$1" "$3"
	echo "install-peers: $1 $3" >&2
}

gobuild goreman github.com/mattn/goreman v0.3.19 .
# process-compose v1.103.0 is served by the proxy but missing from the checksum
# database, so this one module is fetched without it (its dependencies are still
# checked). It is only ever run by the benchmark, never part of svman.
GONOSUMDB=github.com/f1bonacc1/process-compose gobuild process-compose github.com/f1bonacc1/process-compose v1.103.0 .
exit 0
