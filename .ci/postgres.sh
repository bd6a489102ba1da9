# shellcheck shell=bash
# Throwaway PostgreSQL cluster for the tests. Source this file, then call
# pg_start (exports TENDERPROBE_TEST_POSTGRES) and pg_stop (removes it).
# The cluster listens on 127.0.0.1 only, trusts local connections and lives
# in a temporary directory (in /dev/shm when it has 2 GB free), so it
# touches nothing else on the machine.

pg_bindir() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	if [[ -z "$d" || ! -x "$d/initdb" ]]; then
		echo "postgres.sh: no PostgreSQL server binaries under /usr/lib/postgresql" >&2
		return 1
	fi
	echo "$d"
}

# pg_free_port prints a TCP port on 127.0.0.1 that nothing listens on.
pg_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null ||
		echo $((20000 + RANDOM % 20000))
}

# pg_as runs a command as the cluster's owner: initdb and postgres refuse
# to run as root, and CI runs as root.
pg_as() {
	if [[ $(id -u) -eq 0 ]]; then
		runuser -u "$PG_OWNER" -- "$@"
	else
		"$@"
	fi
}

pg_start() {
	local bin
	bin=$(pg_bindir) || return 1
	PG_BIN=$bin
	PG_OWNER=${PG_OWNER:-postgres}
	if [[ $(id -u) -eq 0 ]] && ! id "$PG_OWNER" >/dev/null 2>&1; then
		useradd --system --no-create-home "$PG_OWNER"
	fi
	# On tmpfs when there is room: every test creates and drops a database
	# of its own, and ext4 is slow to create files just after deleting many.
	local parent=/tmp
	if [[ -d /dev/shm && -w /dev/shm ]] && (($(df -Pk /dev/shm | awk 'NR == 2 { print $4 }') > 2 * 1024 * 1024)); then
		parent=/dev/shm
	fi
	PG_DIR=$(mktemp -d "$parent/tenderprobe-pg.XXXXXX")
	chmod 755 "$PG_DIR"
	mkdir -p "$PG_DIR/data" "$PG_DIR/sock"
	if [[ $(id -u) -eq 0 ]]; then
		chown -R "$PG_OWNER" "$PG_DIR"
	fi
	PG_PORT=${PG_PORT:-$(pg_free_port)}
	pg_as "$bin/initdb" -D "$PG_DIR/data" -U tenderprobe --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 ||
		pg_as "$bin/initdb" -D "$PG_DIR/data" -U tenderprobe --auth=trust --encoding=UTF8 --no-locale >"$PG_DIR/initdb.log" 2>&1 || {
		cat "$PG_DIR/initdb.log" >&2
		return 1
	}
	pg_as "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start \
		-o "-p $PG_PORT -k $PG_DIR/sock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null || {
		cat "$PG_DIR/server.log" >&2
		return 1
	}
	pg_as "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U tenderprobe tenderprobe_test
	export TENDERPROBE_TEST_POSTGRES="postgres://tenderprobe@127.0.0.1:$PG_PORT/tenderprobe_test?sslmode=disable"
	echo "postgres.sh: PostgreSQL running on 127.0.0.1:$PG_PORT ($PG_DIR)" >&2
}

pg_stop() {
	if [[ -n "${PG_DIR:-}" && -d "$PG_DIR/data" ]]; then
		pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
		rm -rf "$PG_DIR"
	fi
}
