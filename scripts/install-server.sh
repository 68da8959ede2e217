#!/usr/bin/env bash
# install-server.sh — install the Sbor sync server on Debian or Ubuntu as a
# sandboxed systemd service: a system user, the program, its settings in
# /etc/sbor/sync-server.env, its database in /var/lib/sbor-server. Safe to
# run again: it changes only what differs and never overwrites the settings
# file, except the values given as options. TLS: put a reverse proxy in
# front (docs/deploy.md).
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: sudo install-server.sh [options]

  --binary FILE         the sync-server program (default: bin/sync-server
                        beside scripts/, or bin/linux-arm64/… on an arm64 machine)
  --addr ADDR           listening address (default on first install
                        127.0.0.1:8090, for a reverse proxy on this machine;
                        :8090 to take connections from anywhere)
  --public-url URL      the address residents and kiosks use, e.g.
                        https://sbor.example.ru (for QR codes and documents)
  --admin-token TOKEN   admin API token, at least 16 characters (default on
                        first install: 32 random hex digits, printed once)
  --root DIR            install into DIR instead of / and run nothing with
                        side effects (no useradd, chown, systemctl); for
                        tests. DESTDIR=DIR too.
  -h, --help            this text
USAGE
}

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC_DIR=$(dirname "$SCRIPT_DIR")
# shellcheck source=scripts/lib-install.sh
. "$SCRIPT_DIR/lib-install.sh"

UNIT=sbor-sync-server.service
ENV_FILE=/etc/sbor/sync-server.env
DATA_DIR=/var/lib/sbor-server
BIN_DEST=/usr/local/bin/sbor-sync-server

root_dir=${DESTDIR:-}
binary=""
addr=""
public_url=""
token=""

while [ $# -gt 0 ]; do
  case $1 in
    --binary) need_value "$1" $#; binary=$2; shift 2 ;;
    --addr) need_value "$1" $#; addr=$2; shift 2 ;;
    --public-url) need_value "$1" $#; public_url=$2; shift 2 ;;
    --admin-token) need_value "$1" $#; token=$2; shift 2 ;;
    --root) need_value "$1" $#; root_dir=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done

if [ -n "$root_dir" ]; then
  set_root "$root_dir"
elif [ "$(id -u)" -ne 0 ]; then
  die "run as root: sudo $0 $*"
fi

if [ -z "$binary" ]; then
  case $(uname -m) in
    aarch64 | arm64) binary=$SRC_DIR/bin/linux-arm64/sync-server ;;
    armv7l | armv8l) binary=$SRC_DIR/bin/linux-armv7/sync-server ;;
    *) binary=$SRC_DIR/bin/sync-server ;;
  esac
fi
[ -f "$binary" ] || die "no sync-server program at $binary: build it with 'make build' (or 'make pi') and give --binary FILE"
[ -r "$SRC_DIR/configs/$UNIT" ] || die "configs/$UNIT not found beside scripts/: copy scripts/ and configs/ together"
if ! in_root && ! "$binary" -h >/dev/null 2>&1; then
  die "$binary does not run on this machine ($(uname -m))"
fi
if [ -n "$token" ] && [ "${#token}" -lt 16 ]; then
  die "--admin-token needs at least 16 characters"
fi
check_value --addr "$addr"
check_value --admin-token "$token"
check_value --public-url "$public_url"
if [ -n "$public_url" ]; then
  case $public_url in
    http://?* | https://?*) ;;
    *) die "--public-url must start with http:// or https://" ;;
  esac
fi

ensure_system_user sbor "$DATA_DIR"
ensure_dir /etc/sbor 0755
ensure_dir "$DATA_DIR" 0750 sbor:sbor
install_file "$binary" "$BIN_DEST" 0755 || true

env=$ROOT$ENV_FILE
new_token=""
if [ ! -f "$env" ]; then
  install_file "$SRC_DIR/configs/sync-server.env.example" "$ENV_FILE" 0600 || true
  env_set "$env" SBOR_DATA "$DATA_DIR"
  if [ -z "$addr" ]; then
    # Behind a reverse proxy on this machine (docs/deploy.md), whose
    # X-Forwarded-For/-Proto the server believes.
    addr=127.0.0.1:8090
    env_set "$env" SBOR_TRUSTED_PROXIES "127.0.0.1,::1"
  fi
  if [ -z "$token" ]; then
    token=$(random_hex 16)
    new_token=$token
  fi
fi
[ -z "$addr" ] || env_set "$env" SBOR_ADDR "$addr"
[ -z "$token" ] || env_set "$env" SBOR_ADMIN_TOKEN "$token"
[ -z "$public_url" ] || env_set "$env" SBOR_PUBLIC_URL "$public_url"
if [ "$(stat -c %a "$env")" != 600 ]; then
  chmod 0600 "$env"
  CHANGED+=("$ENV_FILE")
fi

install_file "$SRC_DIR/configs/$UNIT" "/etc/systemd/system/$UNIT" 0644 || true

restart=0
if changed "$BIN_DEST" "$ENV_FILE" "/etc/systemd/system/$UNIT"; then
  restart=1
fi
enable_and_start "$UNIT" "$restart"
listen=$(env_get "$env" SBOR_ADDR)
port=${listen##*:}
ok=0
scheme=http
[ -z "$(env_get "$env" SBOR_TLS_CERT)" ] || scheme=https
wait_healthy sbor-sync-server "$scheme://127.0.0.1:${port:-8090}/healthz" || ok=1

if [ ${#CHANGED[@]} -eq 0 ]; then
  say "nothing to change: the sync server is installed"
fi
if [ -n "$new_token" ]; then
  say "the admin token is $new_token (in $ENV_FILE)"
fi
say "listening on $listen; put TLS in front of it (docs/deploy.md)"
say "logs: journalctl -u sbor-sync-server"
exit "$ok"
