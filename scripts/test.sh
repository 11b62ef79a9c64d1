#!/usr/bin/env bash
# The test command (`npm test`): makes sure the system packages the integration tests drive are present,
# builds the agent, then runs the whole vitest suite.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v squid >/dev/null 2>&1 || [ -x /usr/sbin/squid ] || need+=(squid)
[ -x /usr/lib/squid/basic_ncsa_auth ] || need+=(squid)
command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
command -v prometheus-blackbox-exporter >/dev/null 2>&1 || need+=(prometheus-blackbox-exporter)
# Negotiate: a real MIT KDC (krb5kdc, kadmin.local), the client tools, the GSSAPI headers the optional kerberos
# package builds against, and libfaketime for a KDC with a skewed clock. squid ships negotiate_kerberos_auth.
[ -x /usr/sbin/krb5kdc ] || need+=(krb5-kdc)
[ -x /usr/sbin/kadmin.local ] || need+=(krb5-admin-server)
command -v kinit >/dev/null 2>&1 || need+=(krb5-user)
[ -f /usr/include/gssapi/gssapi.h ] || need+=(libkrb5-dev)
[ -x /usr/bin/faketime ] || need+=(faketime)
if [ ${#need[@]} -gt 0 ]; then
  mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test: installing ${need[*]} (apt-get)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    # Debian starts the packaged services; the tests start their own on loopback ports.
    for svc in squid prometheus prometheus-node-exporter prometheus-blackbox-exporter krb5-kdc krb5-admin-server; do
      (command -v systemctl >/dev/null && systemctl stop "$svc" >/dev/null 2>&1) || true
    done
  else
    echo "test: missing system packages; install them with: apt-get install -y ${need[*]}" >&2
    exit 2
  fi
fi

[ -d node_modules ] || npm ci --no-audit --no-fund
# kerberos is an optional dependency: `npm ci` on a machine without libkrb5-dev skips it (its addon cannot build).
# Now that the headers are here, build it, so the Negotiate tests run against the real package.
if ! node -e "require('kerberos')" >/dev/null 2>&1; then
  if [ -d node_modules/kerberos ]; then
    echo "test: building the optional kerberos package (npm rebuild kerberos)" >&2
    npm rebuild kerberos >/dev/null
  else
    version=$(node -p "require('./package-lock.json').packages['node_modules/kerberos'].version")
    echo "test: installing the optional kerberos package ${version} (npm install --no-save)" >&2
    npm install --no-save --no-audit --no-fund "kerberos@${version}" >/dev/null
  fi
  node -e "require('kerberos')" >/dev/null 2>&1 || { echo "test: the kerberos package does not load after building it; see npm rebuild kerberos" >&2; exit 2; }
fi
npx tsc -p tsconfig.json
# The tests and benches are TypeScript too: vitest strips their types without checking them, so check them here.
npx tsc -p tsconfig.test.json
npx eslint --max-warnings 0 .
exec npx vitest run "$@"
