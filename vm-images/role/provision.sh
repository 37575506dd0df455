#!/bin/sh
# Runs in the guest during the Packer build of a role image (SPMS_ROLE=pr|pv):
# installs the service bundle and the node unit, prepares /etc/spms and
# /var/lib/spms, writes the services' code cache and checks that the bundle
# starts on the guest's runtime.
set -eu
case "${SPMS_ROLE:-}" in
  pr | pv) ;;
  *) echo "provision.sh: SPMS_ROLE must be pr or pv, not '${SPMS_ROLE:-}'" >&2; exit 2 ;;
esac
tar -C /opt/spms -xf /tmp/spms-bundle.tar --no-same-owner
rm -f /tmp/spms-bundle.tar
# The verifier pool looks for its data one level up from the bundle.
install -d -m 0755 /opt/spms/verifier
ln -sfn ../app/data /opt/spms/verifier/data
install -m 0644 /tmp/spms-node.service /etc/systemd/system/spms-node.service
rm -f /tmp/spms-node.service
install -d -m 0700 /etc/spms
install -d -m 0750 /var/lib/spms
printf 'SPMS_ROLE=%s\n' "$SPMS_ROLE" > /etc/spms/node.env
systemctl daemon-reload
# The V8 code cache of the services, made by the guest's own runtime (see
# vm-images/guest/spms-loader.ts); this also checks that the bundle loads.
/opt/spms/bin/node /opt/spms/app/spms.mjs --write-code-cache
/opt/spms/bin/node /opt/spms/app/spms.mjs "$SPMS_ROLE" --help > /dev/null
echo "spms $SPMS_ROLE: $(/opt/spms/bin/node --version), $(clang --version | head -n 1)"
