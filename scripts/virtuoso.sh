#!/usr/bin/env bash
# A private OpenLink Virtuoso on 127.0.0.1 for the server tests, CI and benchmarks.
#
#   scripts/virtuoso.sh install        install Debian's virtuoso-opensource if virtuoso-t is missing
#   scripts/virtuoso.sh start DIR      install if needed, then start a server whose database, ini, log
#                                      and pid file live in DIR (idempotent: if it runs, just report it)
#   scripts/virtuoso.sh stop DIR       stop it (SIGTERM, then SIGKILL after 30 s); the database stays
#   scripts/virtuoso.sh status DIR     exit 0 if it runs
#
# `start` prints shell-sourceable lines on stdout:
#   VIRTUOSO_PID=…  VIRTUOSO_SQL_PORT=…  VIRTUOSO_HTTP_PORT=…
#   POLICYKB_STORE=http://127.0.0.1:<http port>/sparql-auth   POLICYKB_USER=dba
# The dba password is never printed: it is VIRTUOSO_PASSWORD if set when the database is created,
# else a random one, and is kept in DIR/dba-password (mode 600). Ports are free ones chosen at the
# first start and kept in DIR/ports, so a restart serves the same URLs (override with
# VIRTUOSO_HTTP_PORT / VIRTUOSO_SQL_PORT at the first start).
#
# Why it looks like this (measured on Debian 12, virtuoso-opensource 7.2.5): the package installs
# non-interactively but its service is not started in containers, so we run
# `virtuoso-t +configfile DIR/virtuoso.ini +foreground` in the background ourselves, bound to
# 127.0.0.1; the dba password is changed with `SET PASSWORD` + `checkpoint` through isql (on stdin,
# so it never shows in a process list); HTTP authentication on /sparql-auth and
# /sparql-graph-crud-auth is Digest. The ini raises [SPARQL] ResultSetMaxRows to 1,000,000 (Debian's
# 10,000 silently cuts results) and caps MaxQueryExecutionTime at 300 s.
#
# Exit status: 0 ok, 2 usage, 3 virtuoso-t is missing and cannot be installed, 4 start failed.
set -euo pipefail

die() { echo "virtuoso.sh: $*" >&2; exit "${2:-4}"; }

isql_bin() {
  for name in isql-vt isql-v; do
    if command -v "$name" >/dev/null 2>&1; then echo "$name"; return 0; fi
  done
  return 1
}

install_virtuoso() {
  if command -v virtuoso-t >/dev/null 2>&1 && isql_bin >/dev/null; then
    return 0
  fi
  if [ "$(id -u)" != "0" ]; then
    die "virtuoso-t is not installed and installing it needs root (apt-get install virtuoso-opensource)" 3
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    die "virtuoso-t is not installed and there is no apt-get to install it with" 3
  fi
  echo "virtuoso.sh: installing virtuoso-opensource (Debian package)" >&2
  export DEBIAN_FRONTEND=noninteractive
  # another apt may be running (CI installs other system packages): wait for the lock, 5 min at most
  apt-get -o DPkg::Lock::Timeout=300 update -qq >&2 || die "apt-get update failed" 3
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends virtuoso-opensource >&2 \
    || die "apt-get install virtuoso-opensource failed" 3
  command -v virtuoso-t >/dev/null 2>&1 || die "virtuoso-t is still missing after the install" 3
}

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
    return
  fi
  local port
  for _ in $(seq 1 50); do
    port=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  die "no free port found"
}

running() {  # running DIR: the server of DIR is alive
  local pid
  [ -f "$1/virtuoso.pid" ] || return 1
  pid=$(cat "$1/virtuoso.pid")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q virtuoso "/proc/$pid/cmdline" 2>/dev/null
}

report() {
  # shellcheck disable=SC1091
  . "$1/ports"
  echo "VIRTUOSO_PID=$(cat "$1/virtuoso.pid")"
  echo "VIRTUOSO_SQL_PORT=$SQL_PORT"
  echo "VIRTUOSO_HTTP_PORT=$HTTP_PORT"
  echo "POLICYKB_STORE=http://127.0.0.1:$HTTP_PORT/sparql-auth"
  echo "POLICYKB_USER=dba"
}

write_ini() {  # write_ini DIR SQL_PORT HTTP_PORT
  local dir=$1
  cat >"$dir/virtuoso.ini" <<EOF
; written by scripts/virtuoso.sh
[Database]
DatabaseFile       = $dir/virtuoso.db
ErrorLogFile       = $dir/virtuoso.log
LockFile           = $dir/virtuoso.lck
TransactionFile    = $dir/virtuoso.trx
xa_persistent_file = $dir/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = $dir/virtuoso-temp.db
TransactionFile    = $dir/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort               = 127.0.0.1:$2
DisableUnixSocket        = 1
DisableTcpSocket         = 0
MaxClientConnections     = 20
CheckpointInterval       = 60
O_DIRECT                 = 0
CaseMode                 = 2
MaxStaticCursorRows      = 5000
AllowOSCalls             = 0
DirsAllowed              = ., $dir
NumberOfBuffers          = ${VIRTUOSO_BUFFERS:-85000}
MaxDirtyBuffers          = $(( ${VIRTUOSO_BUFFERS:-85000} * 3 / 4 ))
MaxQueryMem              = 1G
ThreadsPerQuery          = 4
AsyncQueueMaxThreads     = 10

[HTTPServer]
ServerPort                  = 127.0.0.1:$3
ServerRoot                  = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections        = 20
DavRoot                     = DAV
EnabledDavVSP               = 0
HTTPProxyEnabled            = 0
ServerThreads               = 20
MaxKeepAlives               = 20
KeepAliveTimeout            = 10
Charset                     = UTF-8
EnabledGzipContent          = 0

[SPARQL]
ResultSetMaxRows           = 1000000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 300
DefaultQuery               = SELECT * WHERE { ?s ?p ?o } LIMIT 10
EOF
}

start() {
  local dir=$1
  install_virtuoso
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if running "$dir"; then
    report "$dir"
    return 0
  fi
  if [ ! -f "$dir/ports" ]; then
    echo "SQL_PORT=${VIRTUOSO_SQL_PORT:-$(free_port)}" >"$dir/ports"
    echo "HTTP_PORT=${VIRTUOSO_HTTP_PORT:-$(free_port)}" >>"$dir/ports"
  fi
  # shellcheck disable=SC1091
  . "$dir/ports"
  write_ini "$dir" "$SQL_PORT" "$HTTP_PORT"
  rm -f "$dir/virtuoso.lck"
  touch "$dir/virtuoso.log"
  local before
  before=$(wc -l <"$dir/virtuoso.log")
  # its own session, so a Ctrl-C meant for the caller does not hit it; stopped by pid with `stop`
  setsid virtuoso-t +configfile "$dir/virtuoso.ini" +foreground >"$dir/stdout.log" 2>&1 </dev/null &
  echo $! >"$dir/virtuoso.pid"
  local pid=$!
  for _ in $(seq 1 600); do  # 60 s at most (a fresh database takes ~2 s)
    if tail -n +"$((before + 1))" "$dir/virtuoso.log" | grep -q "Server online at"; then
      break
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$dir/virtuoso.log" >&2 || true
      die "virtuoso-t exited during start-up (see $dir/virtuoso.log)"
    fi
    sleep 0.1
  done
  if ! tail -n +"$((before + 1))" "$dir/virtuoso.log" | grep -q "Server online at"; then
    stop "$dir"
    die "virtuoso-t did not come online within 60 s (see $dir/virtuoso.log)"
  fi
  if [ ! -f "$dir/dba-password" ]; then
    local password=${VIRTUOSO_PASSWORD:-}
    if [ -z "$password" ]; then
      password=p$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)
    fi
    case "$password" in *'"'*|*$'\n'*) die "VIRTUOSO_PASSWORD must not contain a double quote or a newline" 2 ;; esac
    (umask 077 && printf '%s' "$password" >"$dir/dba-password.new")
    local isql
    isql=$(isql_bin) || die "isql-vt is missing"
    # the new password goes in on stdin, never on a command line; quoted, it may hold any character
    if ! printf 'SET PASSWORD "dba" "%s";\ncheckpoint;\n' "$password" \
        | "$isql" "127.0.0.1:$SQL_PORT" dba dba >"$dir/isql.log" 2>&1 \
        || grep -qi "error" "$dir/isql.log"; then
      grep -v -F "$password" "$dir/isql.log" >&2 || true
      rm -f "$dir/dba-password.new"
      stop "$dir"
      die "setting the dba password failed (the server was stopped again)"
    fi
    mv "$dir/dba-password.new" "$dir/dba-password"
  fi
  report "$dir"
}

stop() {
  local dir=$1 pid
  running "$dir" || return 0
  pid=$(cat "$dir/virtuoso.pid")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$dir/virtuoso.pid"; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  sleep 0.2
  rm -f "$dir/virtuoso.pid"
}

case "${1:-}" in
  install) install_virtuoso ;;
  start) [ -n "${2:-}" ] || die "usage: $0 start DIR" 2; start "$2" ;;
  stop) [ -n "${2:-}" ] || die "usage: $0 stop DIR" 2; stop "$2" ;;
  status) [ -n "${2:-}" ] || die "usage: $0 status DIR" 2; running "$2" ;;
  *) die "usage: $0 install | start DIR | stop DIR | status DIR" 2 ;;
esac
