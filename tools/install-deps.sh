#!/bin/sh
# Installs, from Debian's archive, whatever sipscope needs to build, test and
# benchmark that is not installed yet. Runs apt-get as root, or via sudo.
# Safe to run again: with nothing missing it only checks and exits.
set -eu

PKGS="make gcc clang libclang-rt-14-dev pkg-config libpcap-dev libjson-c-dev libcmocka-dev
zlib1g-dev python3 tshark sip-tester tcpdump sngrep valgrind libxml2-utils iproute2 procps
kamailio
chromium"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
# node and npm may come from elsewhere (e.g. a nodesource nodejs bundles
# npm): only ask Debian for them when the commands are missing
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
# tshark asks whether non-root users may capture: answer with the default
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >&2
# kamailio is here for the proxy-chain test, which starts its own instance on
# loopback: keep the packaged service off, it would hold port 5060
case " $missing " in *" kamailio "*)
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
        $SUDO systemctl disable --now kamailio >/dev/null 2>&1 || true
    fi ;;
esac
