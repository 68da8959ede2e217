#!/usr/bin/env bash
# kiosk-browser.sh — installed as /usr/local/bin/sbor-kiosk-browser by
# install-kiosk.sh and started by the desktop at login (labwc's autostart,
# wayfire.ini's [autostart]). It waits until the kiosk answers, then keeps
# Chromium open full screen on the kiosk's touch UI: if Chromium is closed
# or crashes, it opens again.
set -euo pipefail

url=${1:-http://127.0.0.1:8080/}
url=${url%/}/

browser=""
for b in chromium-browser chromium; do
  if command -v "$b" >/dev/null 2>&1; then
    browser=$b
    break
  fi
done
[ -n "$browser" ] || {
  echo "sbor-kiosk-browser: no Chromium (apt-get install chromium-browser)" >&2
  exit 1
}

# The kiosk starts with the system; the desktop may be quicker. Wait for it
# at most two minutes; after that Chromium opens anyway and shows its error
# page, which says more than an empty desktop.
for _ in $(seq 1 120); do
  if command -v curl >/dev/null 2>&1; then
    curl -fsS -o /dev/null --max-time 2 "${url}healthz" && break
  else
    sleep 10
    break
  fi
  sleep 1
done

# After a power cut Chromium would offer to restore the last session: tell
# it the last exit was clean.
prefs=${XDG_CONFIG_HOME:-$HOME/.config}/chromium/Default/Preferences
if [ -f "$prefs" ]; then
  sed -i -e 's/"exited_cleanly":false/"exited_cleanly":true/' \
    -e 's/"exit_type":"[A-Za-z]*"/"exit_type":"Normal"/' "$prefs" || true
fi

# session_alive: the desktop this was started in is still there (after a
# logout the loop ends instead of starting Chromium into nothing).
session_alive() {
  if [ -n "${WAYLAND_DISPLAY:-}" ]; then
    case $WAYLAND_DISPLAY in
      /*) [ -S "$WAYLAND_DISPLAY" ] ;;
      *) [ -S "${XDG_RUNTIME_DIR:-/run/user/$(id -u)}/$WAYLAND_DISPLAY" ] ;;
    esac
  else
    [ -n "${DISPLAY:-}" ]
  fi
}

while session_alive; do
  "$browser" --kiosk --noerrdialogs --disable-infobars --no-first-run \
    --disable-session-crashed-bubble --disable-translate --disable-features=Translate \
    --password-store=basic --check-for-update-interval=31536000 \
    --overscroll-history-navigation=0 --disable-pinch \
    "$url" || true
  sleep 2
done
