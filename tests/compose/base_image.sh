#!/usr/bin/env bash
# Makes the Dockerfile's base images available to an engine that cannot pull them: a
# `debootstrap --variant=minbase bookworm` from the apt archive this machine already uses,
# imported as debian:12, and the same without documentation, manual pages and translations (and
# configured to install none, as Debian's official slim image is) as debian:12-slim. Cached
# twice: the engine's image store (checked first) and tarballs under EMS_COMPOSE_CACHE
# (/var/cache/ems-compose), so a pruned store costs no second debootstrap.
# docs/deployment.md, "The compose tier".
# Usage: tests/compose/base_image.sh ENGINE    (podman or docker, as the tier runs it)
set -euo pipefail
engine=${1:?usage: base_image.sh podman|docker}
"$engine" image inspect debian:12 >/dev/null 2>&1 &&
  "$engine" image inspect debian:12-slim >/dev/null 2>&1 && exit 0

cache=${EMS_COMPOSE_CACHE:-/var/cache/ems-compose}
tarball=$cache/debian-12.tar
slim=$cache/debian-12-slim.tar
if [ ! -s "$tarball" ] || [ ! -s "$slim" ]; then
  if [ "$engine" = docker ] && "$engine" pull -q debian:12 >/dev/null 2>&1 &&
     "$engine" pull -q debian:12-slim >/dev/null 2>&1; then
    exit 0
  fi
  command -v debootstrap >/dev/null || { echo "debootstrap is missing" >&2; exit 1; }
  # The archive apt already uses here (a mirror, a proxy): bookworm's and its security updates'.
  targets=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Identifier: Packages' | sort -u)
  mirror=$(awk '$2 == "bookworm" { print $1; exit }' <<<"$targets")
  security=$(awk '$2 == "bookworm-security" { print $1; exit }' <<<"$targets")
  : "${mirror:=http://deb.debian.org/debian/}" "${security:=http://deb.debian.org/debian-security/}"
  echo "Making debian:12 with debootstrap from $mirror (once; cached in $tarball)"
  mkdir -p "$cache"
  rootfs=$(mktemp -d "$cache/rootfs.XXXXXX")
  trap 'rm -rf "$rootfs" "$tarball.part" "$slim.part"' EXIT
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
    { tail -20 "$cache/debootstrap.log" >&2; exit 1; }
  # What the official image has: updates and security sources, no package lists or caches.
  rm -f "$rootfs/etc/apt/sources.list"
  cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin \
    "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/log/*.log
  tar --numeric-owner -C "$rootfs" -cf "$tarball.part" .
  # slim: what Debian's official slim image leaves out, now and in what is installed later
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/slim" <<'SLIM'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
SLIM
  find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  rm -rf "$rootfs"/usr/share/{man,groff,info,lintian,linda,locale}/*
  tar --numeric-owner -C "$rootfs" -cf "$slim.part" .
  mv "$tarball.part" "$tarball"
  mv "$slim.part" "$slim"
fi
import_tarball() {
  local out
  out=$("$engine" import --change 'CMD ["bash"]' "$1" "$2" 2>&1) || { echo "$out" >&2; exit 1; }
}
import_tarball "$tarball" debian:12
import_tarball "$slim" debian:12-slim
echo "Imported $tarball as debian:12 and $slim as debian:12-slim"
