#!/usr/bin/env bash
# Makes the Dockerfile's base images (debian:12, debian:12-slim) available to an engine that
# cannot pull them: a `debootstrap --variant=minbase bookworm` from the apt archive this machine
# already uses, imported once and tagged with both names. Cached twice: the engine's image store
# (checked first) and a tarball under EMS_COMPOSE_CACHE (/var/cache/ems-compose), so a pruned
# store does not cost another debootstrap. docs/deployment.md, "The compose tier".
# Usage: tests/compose/base_image.sh ENGINE    (podman or docker, as the tier runs it)
set -euo pipefail
engine=${1:?usage: base_image.sh podman|docker}
tags=(debian:12 debian:12-slim)
have_all() {
  local t
  for t in "${tags[@]}"; do "$engine" image inspect "$t" >/dev/null 2>&1 || return 1; done
}
have_all && exit 0

cache=${EMS_COMPOSE_CACHE:-/var/cache/ems-compose}
tarball=$cache/debian-12-minbase.tar
if [ ! -s "$tarball" ]; then
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
  trap 'rm -rf "$rootfs" "$tarball.part"' EXIT
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
  mv "$tarball.part" "$tarball"
fi
"$engine" import --change 'CMD ["bash"]' "$tarball" "${tags[0]}" >/dev/null
for t in "${tags[@]:1}"; do "$engine" tag "${tags[0]}" "$t"; done
echo "Imported $tarball as ${tags[*]}"
