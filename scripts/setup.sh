#!/usr/bin/env bash
# Installs the system packages the build, the demo and the tests use, when they are missing (Debian/Ubuntu, root
# or sudo). Safe to run again: it only calls apt-get when something is absent.
set -euo pipefail

need=()
have() { command -v "$1" >/dev/null 2>&1; }
have cmake || need+=(cmake)                      # pingora builds zlib-ng with it
have redis-server || need+=(redis-server)        # agent tests: real Redis MONITOR
have nft || need+=(nftables)                     # agent tests: firewall in network namespaces
have ip || need+=(iproute2)
have logger || need+=(bsdutils)                  # server tests: util-linux logger
have rsyslogd || need+=(rsyslog)                 # server tests: real rsyslog forwarding
have chromium || need+=(chromium)                # manager tests: headless browser
have chromedriver || need+=(chromium-driver)
have nginx || need+=(nginx-light)                # benchmarks: nginx as the reference proxy
have pkg-config || need+=(pkg-config)

if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
