#!/usr/bin/env bash
# The release step: run ONCE per deployment, on one host, before (re)starting web, workers and beat.
# Reads the same environment as the processes (deploy/env.example).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DJANGO_SETTINGS_MODULE:=config.settings.production}"
export DJANGO_SETTINGS_MODULE
PY="${PYTHON:-.venv/bin/python}"

"$PY" manage.py check --deploy --fail-level WARNING
"$PY" manage.py migrate --noinput
# Hashed, compressed file names for whitenoise (CompressedManifestStaticFilesStorage).
"$PY" manage.py collectstatic --noinput -v0
# Campaign data: idempotent; a new campaign is a new seed file (README "Architecture").
if [[ -n "${JJX_SEED_FILES:-}" ]]; then
  # shellcheck disable=SC2086
  "$PY" manage.py load_seed $JJX_SEED_FILES
fi
