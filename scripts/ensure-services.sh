#!/usr/bin/env bash
# Make sure the services the test suite needs are on this machine: PostgreSQL on 127.0.0.1:5432 (trust auth on
# loopback, database `test`, roles postgres and root) and Debian's chromium for the web UI end-to-end tests.
# Installs them with apt when missing (as root), starts PostgreSQL when it is down. Idempotent; `make test`.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }
apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

pg_ready() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
pg_version() { ls /etc/postgresql | sort -V | tail -1; }
psql_admin() { psql -w -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA "$@"; }

if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
  echo "ensure-services: installing PostgreSQL" >&2
  apt_install postgresql postgresql-client
fi
version="$(pg_version)"
hba="/etc/postgresql/$version/main/pg_hba.conf"
trust_loopback() {
  # a throwaway test database on a CI machine: trust on loopback only
  if ! grep -q "garrison-test" "$hba"; then
    as_root sed -i '1i host all all 127.0.0.1/32 trust # garrison-test\nhost all all ::1/128 trust # garrison-test' "$hba"
  fi
}
if ! pg_ready; then
  psql_admin -c "SELECT 1" >/dev/null 2>&1 || trust_loopback
  echo "ensure-services: starting PostgreSQL $version" >&2
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
  pg_ready || { echo "ensure-services: PostgreSQL did not start" >&2; exit 1; }
fi
if ! psql_admin -c "SELECT 1" >/dev/null 2>&1; then
  trust_loopback
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload
  for _ in $(seq 1 10); do psql_admin -c "SELECT 1" >/dev/null 2>&1 && break; sleep 1; done
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname='test'")" != 1 ]; then
  psql_admin -c "CREATE DATABASE test"
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname='root'")" != 1 ]; then
  psql_admin -c "CREATE ROLE root LOGIN SUPERUSER"
fi

if [ ! -x /usr/bin/chromium ]; then
  echo "ensure-services: installing chromium" >&2
  apt_install chromium
fi
