#!/bin/sh
# Creates the namespace dcs-migrate uses and registers its custom search attributes. The attribute list comes
# from the environment (DCS_MIGRATE_SEARCH_ATTRIBUTES="Name=Type …"), which docker-compose.yml sets from
# common/search-attributes.ts (test/compose.test.ts keeps the two equal). Idempotent: existing ones are kept.
set -eu

: "${TEMPORAL_ADDRESS:?}" "${TEMPORAL_NAMESPACE:?}" "${DCS_MIGRATE_SEARCH_ATTRIBUTES:?}"
RETENTION="${TEMPORAL_NAMESPACE_RETENTION:-72h}"

attempts=0
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do
  attempts=$((attempts + 1))
  if [ "$attempts" -ge 60 ]; then echo "Temporal at $TEMPORAL_ADDRESS is not healthy after 60 s" >&2; exit 1; fi
  sleep 1
done

if temporal operator namespace describe --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE" >/dev/null 2>&1; then
  echo "namespace $TEMPORAL_NAMESPACE exists"
else
  temporal operator namespace create --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE" --retention "$RETENTION"
fi

existing=$(temporal operator search-attribute list --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE" 2>/dev/null || true)
for spec in $DCS_MIGRATE_SEARCH_ATTRIBUTES; do
  name=${spec%%=*}
  type=${spec#*=}
  if printf '%s\n' "$existing" | grep -qw "$name"; then
    echo "search attribute $name exists"
  else
    temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE" --name "$name" --type "$type"
  fi
done
echo "namespace $TEMPORAL_NAMESPACE and search attributes are ready"
