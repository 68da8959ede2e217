# shellcheck shell=bash
# Helpers shared by install-kiosk.sh and install-server.sh (sourced, not run).
#
# Every helper is idempotent: it compares what is there with what should be
# there and writes only when they differ, so running an installer twice
# changes nothing. With ROOT set (--root DIR), paths are under DIR and no
# command with side effects outside it runs (useradd, chown, systemctl,
# raspi-config, nmcli): a test installs into a scratch directory.

ROOT=${ROOT:-}
# Byte lengths, ASCII classes and plain sorting whatever the machine's locale.
export LC_ALL=C
# CHANGED collects what this run changed, for the final restart decision.
CHANGED=()

say() { printf 'sbor: %s\n' "$*"; }
warn() { printf 'sbor: warning: %s\n' "$*" >&2; }
die() {
  printf 'sbor: error: %s\n' "$*" >&2
  exit 1
}

# need_value OPTION ARGC: an option's value is missing.
need_value() {
  [ "$2" -ge 2 ] || die "$1 needs a value (see --help)"
}

# set_root DIR: install under DIR instead of /.
set_root() {
  [ -n "$1" ] || die "--root needs a directory"
  mkdir -p "$1"
  ROOT=$(cd "$1" && pwd)
  [ "$ROOT" != / ] || ROOT=""
}

# in_root: true when installing into a scratch root (no side effects).
in_root() { [ -n "$ROOT" ]; }

# sideeffect CMD...: runs CMD on a real install; only reports it under --root.
sideeffect() {
  if in_root; then
    say "skipped under --root: $*"
  else
    "$@"
  fi
}

# ensure_dir DIR MODE [OWNER:GROUP]
ensure_dir() {
  local dir=$ROOT$1 mode=$2 owner=${3:-}
  if [ ! -d "$dir" ]; then
    install -d -m "$mode" "$dir"
    say "created $1"
    CHANGED+=("$1")
  elif [ "$(stat -c %a "$dir")" != "${mode#0}" ]; then
    chmod "$mode" "$dir"
    say "mode $mode on $1"
    CHANGED+=("$1")
  fi
  if [ -n "$owner" ] && ! in_root && [ "$(stat -c %U:%G "$dir")" != "$owner" ]; then
    chown "$owner" "$dir"
    say "owner $owner on $1"
    CHANGED+=("$1")
  fi
}

# install_file SRC DEST MODE [OWNER:GROUP]: copies SRC to DEST (a path
# without ROOT) when the content or the mode differ. Returns 0 when it
# wrote, 1 when DEST was already right.
install_file() {
  local src=$1 dest=$ROOT$2 mode=$3 owner=${4:-}
  local same=1
  if [ -f "$dest" ] && cmp -s "$src" "$dest"; then
    if [ "$(stat -c %a "$dest")" != "${mode#0}" ]; then
      chmod "$mode" "$dest"
      say "mode $mode on $2"
      same=0
    fi
  else
    mkdir -p "$(dirname "$dest")"
    # Write beside the target and rename, so a running binary is replaced
    # rather than overwritten in place.
    install -m "$mode" "$src" "$dest.sbor-new"
    mv -f "$dest.sbor-new" "$dest"
    say "installed $2"
    same=0
  fi
  if [ -n "$owner" ] && ! in_root && [ "$(stat -c %U:%G "$dest")" != "$owner" ]; then
    chown "$owner" "$dest"
    same=0
  fi
  if [ "$same" = 0 ]; then
    CHANGED+=("$2")
    return 0
  fi
  return 1
}

# install_text DEST MODE [OWNER:GROUP] < TEXT: like install_file, from stdin.
install_text() {
  local tmp rc=0
  tmp=$(mktemp)
  cat >"$tmp"
  install_file "$tmp" "$@" || rc=$?
  rm -f "$tmp"
  return "$rc"
}

# env_get FILE KEY: the value of KEY=… in an env file (empty if absent).
env_get() {
  awk -v k="$2" 'index($0, k "=") == 1 { v = substr($0, length(k) + 2) } END { print v }' "$1"
}

# check_value NAME VALUE: VALUE can be written into an env file as it is.
check_value() {
  case $2 in
    *[[:space:]\"\'\\\$\`]*) die "$1: the value must not contain spaces, quotes, \\, \$ or \`" ;;
  esac
}

# env_set FILE KEY VALUE: sets KEY=VALUE in FILE (a path under ROOT
# already), replacing the first KEY= line or appending one. Other lines,
# including the operator's own edits, stay as they are.
env_set() {
  local file=$1 key=$2 value=$3 tmp
  check_value "$key" "$value"
  tmp=$(mktemp)
  awk -v k="$key" -v v="$value" '
    index($0, k "=") == 1 { if (!done) print k "=" v; done = 1; next }
    { print }
    END { if (!done) print k "=" v }' "$file" >"$tmp"
  if cmp -s "$tmp" "$file"; then
    rm -f "$tmp"
  else
    cat "$tmp" >"$file"
    rm -f "$tmp"
    say "set $key in ${file#"$ROOT"}"
    CHANGED+=("${file#"$ROOT"}")
  fi
}

# random_digits N: N random decimal digits.
random_digits() {
  local out=""
  while [ "${#out}" -lt "$1" ]; do
    out+=$(od -An -N4 -tu4 /dev/urandom | tr -dc 0-9)
  done
  printf '%s' "${out:0:$1}"
}

# random_hex N: N random bytes as hex.
random_hex() {
  od -An -N"$1" -tx1 /dev/urandom | tr -dc 0-9a-f
}

# ensure_system_user NAME HOME: a system user and group without a login.
ensure_system_user() {
  if in_root; then
    say "skipped under --root: system user $1"
    return
  fi
  if id -u "$1" >/dev/null 2>&1; then
    return
  fi
  useradd --system --user-group --home-dir "$2" --no-create-home \
    --shell /usr/sbin/nologin --comment "Sbor" "$1"
  say "created system user $1"
  CHANGED+=("user $1")
}

# changed PATTERN...: true when this run changed something matching one of
# the patterns (shell globs on the paths in CHANGED).
changed() {
  local c p
  for c in ${CHANGED[@]+"${CHANGED[@]}"}; do
    for p in "$@"; do
      # shellcheck disable=SC2053 # p is a glob on purpose
      [[ $c == $p ]] && return 0
    done
  done
  return 1
}

# enable_and_start UNIT RESTART: enables UNIT, starts it if it is not running,
# restarts it when RESTART is 1 (its binary, unit or settings changed).
enable_and_start() {
  local unit=$1 restart=$2
  if in_root; then
    say "skipped under --root: systemctl enable/start $unit"
    return
  fi
  if ! command -v systemctl >/dev/null 2>&1 || [ ! -d /run/systemd/system ]; then
    warn "systemd is not running here: start $unit yourself"
    return
  fi
  if changed "/etc/systemd/system/*"; then
    systemctl daemon-reload
  fi
  if ! systemctl is-enabled --quiet "$unit" 2>/dev/null; then
    systemctl enable --quiet "$unit"
    say "enabled $unit"
  fi
  if ! systemctl is-active --quiet "$unit"; then
    systemctl start "$unit" || true
    say "started $unit"
  elif [ "$restart" = 1 ]; then
    systemctl restart "$unit" || true
    say "restarted $unit"
  fi
}

# wait_healthy UNIT URL: waits up to 60 s for URL to answer 200; on failure
# shows the unit's last log lines and fails.
wait_healthy() {
  local unit=$1 url=$2 i
  if in_root || ! command -v curl >/dev/null 2>&1 || [ ! -d /run/systemd/system ]; then
    return 0
  fi
  for i in $(seq 1 60); do
    # -k: a local health check of a server that may speak TLS itself.
    if curl -kfsS -o /dev/null --max-time 2 "$url"; then
      say "$unit answers at $url"
      return 0
    fi
    [ "$i" = 1 ] && say "waiting for $unit to answer at $url…"
    sleep 1
  done
  warn "$unit does not answer at $url; its last log lines:"
  journalctl -u "$unit" -n 25 --no-pager >&2 || true
  return 1
}
