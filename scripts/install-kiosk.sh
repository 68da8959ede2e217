#!/usr/bin/env bash
# install-kiosk.sh — turn a Raspberry Pi OS (Bookworm, desktop) into a Sbor
# kiosk: the kiosk program as a sandboxed systemd service, Chromium full
# screen on its touch UI at boot, no screen blanking, and optionally a Wi-Fi
# hotspot for tablets. Safe to run again: it changes only what differs and
# never overwrites the settings in /etc/sbor/kiosk.env, except the values
# given as options. Walk-through: docs/deploy.md.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: sudo install-kiosk.sh [options]

  --binary FILE         the kiosk program (default: bin/linux-arm64/kiosk or
                        bin/linux-armv7/kiosk beside scripts/, by this machine)
  --server URL          sync server address, e.g. https://sbor.example.ru
  --enroll CODE         one-time enrollment code from the office (with --server)
  --catalog FILE        a catalogue file instead of a server (docs/catalog.md)
  --demo                the built-in demo catalogue (for trying things out)
  --pin PIN             operator PIN (default on first install: 6 random digits,
                        printed once; kept in /etc/sbor/kiosk.env)
  --hotspot SSID PASSWORD
                        a Wi-Fi hotspot for tablets (NetworkManager, wlan0,
                        the kiosk at 10.42.0.1); the password 8-63 characters
  --desktop-user USER   whose desktop opens Chromium at boot (default: the
                        user who ran sudo, else the user with uid 1000)
  --no-browser          no Chromium autostart and no screen settings
  --root DIR            install into DIR instead of / and run nothing with
                        side effects (no useradd, chown, systemctl,
                        raspi-config, nmcli); for tests. DESTDIR=DIR too.
  -h, --help            this text

The first install needs --server URL --enroll CODE (a kiosk of the office's
server), --catalog FILE or --demo.
EOF
}

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC_DIR=$(dirname "$SCRIPT_DIR")
# shellcheck source=scripts/lib-install.sh
. "$SCRIPT_DIR/lib-install.sh"

PORT=8080
UNIT=sbor-kiosk.service
ENV_FILE=/etc/sbor/kiosk.env
DATA_DIR=/var/lib/sbor-kiosk
BIN_DEST=/usr/local/bin/sbor-kiosk
BROWSER_DEST=/usr/local/bin/sbor-kiosk-browser
HOTSPOT_FILE=/etc/NetworkManager/system-connections/sbor-hotspot.nmconnection

root_dir=${DESTDIR:-}
binary=""
server="" server_set=0
enroll="" enroll_set=0
catalog=""
demo=0
pin=""
ssid="" psk=""
desktop_user=""
browser=1

while [ $# -gt 0 ]; do
  case $1 in
    --binary) need_value "$1" $#; binary=$2; shift 2 ;;
    --server) need_value "$1" $#; server=$2; server_set=1; shift 2 ;;
    --enroll) need_value "$1" $#; enroll=$2; enroll_set=1; shift 2 ;;
    --catalog) need_value "$1" $#; catalog=$2; shift 2 ;;
    --demo) demo=1; shift ;;
    --pin) need_value "$1" $#; pin=$2; shift 2 ;;
    --hotspot)
      [ $# -ge 3 ] || die "--hotspot needs SSID and PASSWORD"
      ssid=$2; psk=$3; shift 3 ;;
    --desktop-user) need_value "$1" $#; desktop_user=$2; shift 2 ;;
    --no-browser) browser=0; shift ;;
    --root) need_value "$1" $#; root_dir=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done

# --- check the options before touching anything ---------------------------

if [ -n "$root_dir" ]; then
  set_root "$root_dir"
elif [ "$(id -u)" -ne 0 ]; then
  die "run as root: sudo $0 $*"
fi

if [ -z "$binary" ]; then
  case $(uname -m) in
    aarch64 | arm64) binary=$SRC_DIR/bin/linux-arm64/kiosk ;;
    armv7l | armv8l) binary=$SRC_DIR/bin/linux-armv7/kiosk ;;
    *) binary=$SRC_DIR/bin/kiosk ;;
  esac
fi
[ -f "$binary" ] || die "no kiosk program at $binary: build it with 'make pi' and give --binary FILE"
[ -r "$SRC_DIR/configs/$UNIT" ] || die "configs/$UNIT not found beside scripts/: copy scripts/ and configs/ together"
if ! in_root && ! "$binary" -h >/dev/null 2>&1; then
  die "$binary does not run on this machine ($(uname -m)): use bin/linux-arm64/kiosk on a 64-bit system, bin/linux-armv7/kiosk on a 32-bit one"
fi
if [ "$server_set" = 1 ]; then
  case $server in
    http://?* | https://?*) ;;
    *) die "--server must start with http:// or https://" ;;
  esac
fi
if [ "$enroll_set" = 1 ] && [ "$server_set" = 0 ] && { [ ! -f "$ROOT$ENV_FILE" ] || [ -z "$(env_get "$ROOT$ENV_FILE" SBOR_SERVER)" ]; }; then
  die "--enroll needs --server"
fi
[ -z "$catalog" ] || [ -r "$catalog" ] || die "cannot read the catalogue $catalog"
[ -z "$catalog" ] || [ "$demo" = 0 ] || die "--catalog and --demo exclude each other"
if [ -n "$pin" ] && [ "${#pin}" -lt 4 ]; then
  die "--pin needs at least 4 characters"
fi
check_value --pin "$pin"
check_value --server "$server"
check_value --enroll "$enroll"
if [ -n "$ssid" ]; then
  # LC_ALL=C (lib-install.sh): lengths are in bytes, [:print:] is ASCII.
  if [ "${#ssid}" -gt 32 ]; then
    die "--hotspot: the SSID is longer than 32 bytes"
  fi
  case $ssid in *[\;\\]* | *[[:cntrl:]]*) die "--hotspot: the SSID must not contain ; or \\" ;; esac
  [[ $psk =~ ^[[:print:]]{8,63}$ ]] || die "--hotspot: the password needs 8 to 63 printable ASCII characters"
  case $psk in *[\;\\]*) die "--hotspot: the password must not contain ; or \\" ;; esac
fi
if [ ! -f "$ROOT$ENV_FILE" ] && [ "$server_set" = 0 ] && [ -z "$catalog" ] && [ "$demo" = 0 ]; then
  die "first install: give --server URL --enroll CODE (from the office), --catalog FILE or --demo"
fi

# --- the service ----------------------------------------------------------

ensure_system_user sbor "$DATA_DIR"
ensure_dir /etc/sbor 0755
ensure_dir "$DATA_DIR" 0750 sbor:sbor
install_file "$binary" "$BIN_DEST" 0755 || true

# The env file: made once from the example, then only the options given
# change it; the operator's own edits stay.
env=$ROOT$ENV_FILE
new_pin=""
if [ ! -f "$env" ]; then
  install_file "$SRC_DIR/configs/kiosk.env.example" "$ENV_FILE" 0600 || true
  env_set "$env" SBOR_DATA "$DATA_DIR"
  env_set "$env" SBOR_ADDR "127.0.0.1:$PORT"
  # No catalogue file unless one is given: a kiosk of a server gets its
  # catalogue from the server.
  env_set "$env" SBOR_CATALOG ""
  if [ "$browser" = 1 ]; then
    # The Pi's touchscreen has no keyboard: the UI brings its own.
    env_set "$env" SBOR_ONSCREEN_KEYBOARD true
  fi
  if [ -z "$pin" ]; then
    pin=$(random_digits 6)
    new_pin=$pin
  fi
fi
if [ -n "$pin" ]; then
  env_set "$env" SBOR_OPERATOR_PIN "$pin"
fi
if [ "$server_set" = 1 ]; then
  env_set "$env" SBOR_SERVER "$server"
fi
if [ "$enroll_set" = 1 ]; then
  env_set "$env" SBOR_ENROLL "$enroll"
fi
if [ -n "$catalog" ]; then
  install_file "$catalog" /etc/sbor/catalog.json 0644 || true
  env_set "$env" SBOR_CATALOG /etc/sbor/catalog.json
  env_set "$env" SBOR_DEMO false
fi
if [ "$demo" = 1 ]; then
  env_set "$env" SBOR_CATALOG ""
  env_set "$env" SBOR_DEMO true
fi
if [ -n "$ssid" ]; then
  # Tablets on the hotspot reach the kiosk at 10.42.0.1; the kiosk lets in
  # only tablets an operator paired. It listens on every address rather
  # than 127.0.0.1 and 10.42.0.1 only, so that it starts even when the
  # hotspot does not come up (docs/deploy.md tells how to narrow it).
  env_set "$env" SBOR_ADDR ":$PORT"
  env_set "$env" SBOR_TABLETS true
  env_set "$env" SBOR_TABLET_URL "http://10.42.0.1:$PORT"
fi
if [ "$(stat -c %a "$env")" != 600 ]; then
  chmod 0600 "$env"
  CHANGED+=("$ENV_FILE")
fi

install_file "$SRC_DIR/configs/$UNIT" "/etc/systemd/system/$UNIT" 0644 || true

# --- the screen: Chromium full screen at boot -----------------------------

# home_of USER: the user's home directory from (ROOT)/etc/passwd.
home_of() {
  awk -F: -v u="$1" '$1 == u { print $6; exit }' "$ROOT/etc/passwd" 2>/dev/null
}

# ini_set FILE SECTION KEY VALUE: KEY = VALUE in [SECTION] of an INI file
# (wayfire.ini), keeping everything else.
ini_set() {
  local file=$1 section=$2 key=$3 value=$4 tmp
  tmp=$(mktemp)
  if [ -f "$file" ]; then
    cp "$file" "$tmp"
  fi
  awk -v s="[$section]" -v k="$key" -v v="$value" '
    function put() { if (!done) { print k " = " v; done = 1 } }
    function flush() { for (; blank > 0; blank--) print "" }
    /^[[:space:]]*\[/ {
      if (in_s) put()
      flush()
      in_s = ($0 == s); seen = seen || in_s
      print; next
    }
    /^[[:space:]]*$/ { blank++; next }
    in_s && $0 ~ "^[[:space:]]*" k "[[:space:]]*=" { flush(); put(); next }
    { flush(); print }
    END {
      if (in_s) put()
      if (!seen) {
        if (NR > 0 && blank == 0) blank = 1
        flush(); print s; print k " = " v
      }
      flush()
    }' "$tmp" >"$tmp.new"
  rm -f "$tmp"
  install_text "${file#"$ROOT"}" 0644 <"$tmp.new" || true
  rm -f "$tmp.new"
}

# block_set FILE TEXT: a marked block in a shell-like file (labwc's
# autostart), replaced whole on every run, the rest of the file kept.
block_set() {
  local file=$1 text=$2 tmp
  tmp=$(mktemp)
  if [ -f "$file" ]; then
    awk '/^# >>> sbor kiosk >>>$/ { skip = 1 } !skip { print } /^# <<< sbor kiosk <<<$/ { skip = 0 }' "$file" >"$tmp"
  fi
  printf '# >>> sbor kiosk >>>\n%s\n# <<< sbor kiosk <<<\n' "$text" >>"$tmp"
  # labwc runs this file with sh: it needs no execute bit.
  install_text "${file#"$ROOT"}" 0644 <"$tmp" || true
  rm -f "$tmp"
}

if [ "$browser" = 1 ]; then
  install_file "$SCRIPT_DIR/kiosk-browser.sh" "$BROWSER_DEST" 0755 || true
  if [ -z "$desktop_user" ] && [ -n "${SUDO_USER:-}" ] && [ "${SUDO_USER}" != root ] && ! in_root; then
    desktop_user=$SUDO_USER
  fi
  if [ -z "$desktop_user" ]; then
    desktop_user=$(awk -F: '$3 == 1000 { print $1; exit }' "$ROOT/etc/passwd" 2>/dev/null || true)
  fi
  home=""
  [ -z "$desktop_user" ] || home=$(home_of "$desktop_user")
  if [ -z "$home" ] || [ ! -d "$ROOT$home" ]; then
    warn "no desktop user found (give --desktop-user USER): Chromium will not open at boot"
  else
    launch="$BROWSER_DEST http://127.0.0.1:$PORT/"
    mine=()
    for d in "$home/.config" "$home/.config/labwc"; do
      [ -d "$ROOT$d" ] || mine+=("$d")
    done
    mkdir -p "$ROOT$home/.config/labwc"
    # labwc (the Bookworm desktop since late 2024): a user autostart file
    # replaces the desktop's panel with the kiosk's browser.
    block_set "$ROOT$home/.config/labwc/autostart" "$launch &"
    # Wayfire (earlier Bookworm images on a Pi 4 or 5).
    ini_set "$ROOT$home/.config/wayfire.ini" autostart sbor_kiosk "$launch"
    if ! in_root; then
      for d in ${mine[@]+"${mine[@]}"}; do chown "$desktop_user:" "$d"; done
      chown "$desktop_user:" "$home/.config/labwc/autostart" "$home/.config/wayfire.ini"
    fi
  fi
  if ! in_root; then
    if command -v raspi-config >/dev/null 2>&1; then
      # Boot to the desktop, logged in; the screen never blanks.
      raspi-config nonint do_boot_behaviour B4
      raspi-config nonint do_blanking 1
    else
      warn "no raspi-config: turn off screen blanking and turn on desktop autologin yourself"
    fi
    if ! command -v chromium-browser >/dev/null 2>&1 && ! command -v chromium >/dev/null 2>&1; then
      say "installing Chromium"
      apt-get install -y chromium-browser || apt-get install -y chromium
    fi
  fi
fi

# --- the hotspot ----------------------------------------------------------

if [ -n "$ssid" ]; then
  # A NetworkManager connection file, the same on every run (a fixed UUID),
  # so that NetworkManager keeps one hotspot connection.
  uuid=$(printf 'sbor-hotspot' | md5sum | sed -E 's/^(.{8})(.{4})(.{4})(.{4})(.{12}).*/\1-\2-\3-\4-\5/')
  if install_text "$HOTSPOT_FILE" 0600 <<EOF; then
[connection]
id=sbor-hotspot
uuid=$uuid
type=wifi
interface-name=wlan0
autoconnect=true
autoconnect-priority=100

[wifi]
mode=ap
band=bg
ssid=$ssid

[wifi-security]
key-mgmt=wpa-psk
proto=rsn
pairwise=ccmp
group=ccmp
psk=$psk

[ipv4]
method=shared
address1=10.42.0.1/24

[ipv6]
method=disabled
EOF
    if ! in_root; then
      if command -v nmcli >/dev/null 2>&1; then
        nmcli connection reload
        nmcli connection up sbor-hotspot || warn "the hotspot did not start (is the Wi-Fi country set? raspi-config nonint do_wifi_country RU)"
      else
        warn "no NetworkManager (nmcli): the hotspot is written but not started"
      fi
    fi
  fi
fi

# --- start ----------------------------------------------------------------

restart=0
if changed "$BIN_DEST" "$ENV_FILE" "/etc/systemd/system/$UNIT" /etc/sbor/catalog.json; then
  restart=1
fi
enable_and_start "$UNIT" "$restart"
ok=0
wait_healthy sbor-kiosk "http://127.0.0.1:$PORT/healthz" || ok=1

if [ ${#CHANGED[@]} -eq 0 ]; then
  say "nothing to change: the kiosk is installed"
fi
if [ -n "$new_pin" ]; then
  say "the operator PIN is $new_pin (in $ENV_FILE; change it with --pin)"
fi
if [ -n "$ssid" ]; then
  say "tablets: join Wi-Fi \"$ssid\" and open http://10.42.0.1:$PORT/"
fi
say "logs: journalctl -u sbor-kiosk"
exit "$ok"
